package org.kdmq.gateway.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The UDP listener's read buffers, of one fixed size, one kept per event loop and read into again once
 * every datagram decoded from it has been released. A recvmmsg of many datagrams, each up to the
 * largest UDP payload, needs a buffer of about 2 MiB: Netty's default (adaptive) allocator pools
 * buffers up to 1 MiB only (256 KiB with a heap under 512 MiB), and its pooled one frees a chunk as
 * soon as nothing in it is used, so either would allocate one afresh for every read. A buffer still
 * referenced when the next read comes (a datagram kept by another thread) is left to its last holder,
 * and the loop takes a new one.
 */
final class DatagramReadBuffers extends DefaultMaxMessagesRecvByteBufAllocator {
    private final int bufferSize;
    private final FastThreadLocal<ByteBuf> kept = new FastThreadLocal<>() {
        @Override
        protected void onRemoval(ByteBuf buffer) {
            buffer.release(); // the event loop is shutting down
        }
    };
    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);

    /** @param bufferSize the size of every read buffer */
    DatagramReadBuffers(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        this.bufferSize = bufferSize;
    }

    @Override
    public Handle newHandle() {
        return new MaxMessageHandle() {
            @Override
            public ByteBuf allocate(ByteBufAllocator channelAllocator) {
                return take();
            }

            @Override
            public int guess() {
                return bufferSize;
            }
        };
    }

    /** This thread's buffer, empty, with one more reference for the reader, who releases it. */
    ByteBuf take() {
        ByteBuf buffer = kept.get();
        if (buffer == null || buffer.refCnt() != 1) {
            if (buffer != null) {
                buffer.release(); // ours; whoever still holds a datagram of it frees it
            }
            buffer = allocator.directBuffer(bufferSize, bufferSize);
            kept.set(buffer);
        }
        return buffer.clear().retain();
    }
}
