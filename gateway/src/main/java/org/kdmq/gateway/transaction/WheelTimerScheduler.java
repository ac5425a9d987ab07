package org.kdmq.gateway.transaction;

import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The production scheduler: Netty's hashed wheel (10 ms ticks), cheap for many short-lived timers. */
public final class WheelTimerScheduler implements TimerScheduler, AutoCloseable {
    private final HashedWheelTimer timer = new HashedWheelTimer(new DefaultThreadFactory("sip-timer", true),
            10, TimeUnit.MILLISECONDS, 1024);

    @Override
    public Timeout schedule(Runnable task, long delay, TimeUnit unit) {
        io.netty.util.Timeout t = timer.newTimeout(ignored -> task.run(), delay, unit);
        return t::cancel;
    }

    @Override
    public void close() {
        timer.stop();
    }
}
