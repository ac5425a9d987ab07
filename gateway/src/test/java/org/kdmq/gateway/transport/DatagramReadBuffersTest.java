package org.kdmq.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DatagramReadBuffersTest {
    private static final int SIZE = 32 * 65_535;

    @Test
    void eachReadGetsTheThreadsOneBufferEmptyOnceTheLastOneIsReleased() {
        DatagramReadBuffers buffers = new DatagramReadBuffers(SIZE);
        RecvByteBufAllocator.Handle handle = buffers.newHandle();
        assertEquals(SIZE, handle.guess());
        ByteBuf first = handle.allocate(ByteBufAllocator.DEFAULT);
        assertTrue(first.isDirect());
        assertEquals(SIZE, first.writableBytes());
        assertEquals(SIZE, first.maxCapacity(), "never grows past the size");
        first.writeBytes("KDMQ".getBytes(StandardCharsets.US_ASCII));
        ByteBuf datagram = first.retainedSlice(0, 4); // what the channel hands to the decoder
        first.release(); // the channel's reference, after the read
        datagram.release(); // the decoder's, after decoding
        for (int i = 0; i < 1000; i++) {
            ByteBuf again = handle.allocate(ByteBufAllocator.DEFAULT);
            assertSame(first, again, "read into the same buffer again");
            assertEquals(0, again.readableBytes());
            assertEquals(SIZE, again.writableBytes());
            again.release();
        }
    }

    @Test
    void aBufferStillHeldIsLeftToItsHolderAndTheNextReadGetsANewOne() {
        DatagramReadBuffers buffers = new DatagramReadBuffers(SIZE);
        RecvByteBufAllocator.Handle handle = buffers.newHandle();
        ByteBuf first = handle.allocate(ByteBufAllocator.DEFAULT);
        first.writeBytes("held".getBytes(StandardCharsets.US_ASCII));
        ByteBuf kept = first.retainedSlice(0, 4); // a datagram another thread still holds
        first.release();
        ByteBuf second = handle.allocate(ByteBufAllocator.DEFAULT);
        assertNotSame(first, second);
        assertEquals("held", kept.toString(StandardCharsets.US_ASCII), "the held datagram is intact");
        assertEquals(1, first.refCnt(), "only the holder's reference is left");
        kept.release();
        assertEquals(0, first.refCnt(), "freed by its last holder");
        second.release();
        assertSame(second, handle.allocate(ByteBufAllocator.DEFAULT));
    }

    @Test
    void refusesANonPositiveSize() {
        assertThrows(IllegalArgumentException.class, () -> new DatagramReadBuffers(0));
    }
}
