package org.kdmq.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BatchedWriterTest {
    /** Counts flushes reaching the head of the pipeline. */
    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void writesQueuedBeforeTheEventLoopRunsGoOutInOrderWithOneFlush() {
        FlushCounter flushes = new FlushCounter();
        EmbeddedChannel channel = new EmbeddedChannel(flushes);
        List<ChannelFuture> outcomes = new CopyOnWriteArrayList<>();
        BatchedWriter writer = BatchedWriter.of(channel);
        assertSame(writer, BatchedWriter.of(channel), "one writer per channel");
        for (String s : List.of("a", "b", "c")) {
            writer.write(text(s), outcomes::add);
        }
        assertEquals(0, outcomes.size(), "nothing written before the event loop runs the batch");
        channel.runPendingTasks();
        List<String> out = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.add(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        assertEquals(List.of("a", "b", "c"), out);
        assertEquals(1, flushes.flushes);
        assertEquals(3, outcomes.size());
        outcomes.forEach(f -> assertTrue(f.isSuccess()));

        writer.write(text("d"), outcomes::add); // the next batch is scheduled again
        channel.runPendingTasks();
        ByteBuf d = channel.readOutbound();
        assertNotNull(d);
        assertEquals("d", d.toString(StandardCharsets.UTF_8));
        d.release();
        assertEquals(2, flushes.flushes);
    }

    @Test
    void aWriteToAClosedChannelFailsItsListener() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.close();
        List<ChannelFuture> outcomes = new CopyOnWriteArrayList<>();
        BatchedWriter.of(channel).write(text("x"), outcomes::add);
        channel.runPendingTasks();
        assertEquals(1, outcomes.size());
        assertFalse(outcomes.get(0).isSuccess());
        assertNotNull(outcomes.get(0).cause());
    }
}
