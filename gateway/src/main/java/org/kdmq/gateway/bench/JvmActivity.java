package org.kdmq.gateway.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * What this JVM itself did while a run was measured: its GC pauses and the pages it touched for the
 * first time (minor page faults). On some VMs a first touch costs microseconds, and a young collection
 * that copies survivors into heap regions never used before slows down tenfold; these numbers tell
 * such a run from a slow node. Also whether the heap was fixed and pre-touched at start. Pauses are the
 * collections the GC beans report: young, mixed and full ones (before JDK 20, not G1's short remark and
 * cleanup pauses).
 */
final class JvmActivity implements AutoCloseable {
    private static final Path PROC_STAT = Path.of("/proc/self/stat");

    /** The measured part's share: collections that ended in it, their pause time, the longest one. */
    record Window(long pauses, long pausedMillis, long longestPauseMillis, OptionalLong minorFaults,
                  long heapMaxMiB, boolean heapFixed, boolean heapPreTouched) {
    }

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private volatile boolean measuring;
    private long pauses;
    private long pausedMillis;
    private long longestMillis;
    private OptionalLong faultsAtStart = OptionalLong.empty();

    /** Starts listening for collections (counted only between {@link #startWindow()} and {@link #endWindow()}). */
    JvmActivity() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    void startWindow() {
        faultsAtStart = minorFaults();
        measuring = true;
    }

    Window endWindow() {
        measuring = false;
        OptionalLong faults = minorFaults();
        OptionalLong during = faults.isPresent() && faultsAtStart.isPresent()
                ? OptionalLong.of(faults.getAsLong() - faultsAtStart.getAsLong()) : OptionalLong.empty();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        synchronized (this) {
            return new Window(pauses, pausedMillis, longestMillis, during,
                    heap.getMax() >> 20, heap.getInit() == heap.getMax(), vmFlag("AlwaysPreTouch"));
        }
    }

    /** Pauses counted so far in the open window. */
    synchronized long pausesSoFar() {
        return pauses;
    }

    private void onNotification(Notification notification, Object handback) {
        if (!measuring || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        if (info.getGcName().contains("Concurrent")) {
            return; // a concurrent cycle (JDK 20+ reports G1's) runs beside the application, no pause
        }
        long millis = Math.max(0, info.getGcInfo().getDuration());
        synchronized (this) {
            pauses++;
            pausedMillis += millis;
            longestMillis = Math.max(longestMillis, millis);
        }
    }

    /** This process's minor page faults so far (Linux); empty elsewhere. */
    static OptionalLong minorFaults() {
        try {
            return parseMinorFaults(Files.readString(PROC_STAT));
        } catch (IOException | RuntimeException unavailable) {
            return OptionalLong.empty();
        }
    }

    /**
     * Field 10 of /proc/PID/stat (minflt). The second field, the command name in parentheses, may hold
     * spaces and parentheses itself, so fields are counted from the last ')'.
     */
    static OptionalLong parseMinorFaults(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            return OptionalLong.empty();
        }
        String[] rest = stat.substring(end + 1).trim().split("\\s+");
        // rest[0] is field 3 (state), so field 10 is rest[7].
        return rest.length > 7 ? OptionalLong.of(Long.parseLong(rest[7])) : OptionalLong.empty();
    }

    private static boolean vmFlag(String name) {
        try {
            return Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue());
        } catch (RuntimeException notHotSpot) {
            return false;
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
