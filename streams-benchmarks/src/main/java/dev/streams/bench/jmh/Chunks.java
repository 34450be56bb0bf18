package dev.streams.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.infra.Blackhole;

/** Input for the reader benchmarks: pooled direct buffers, like the ones a socket read delivers. */
final class Chunks {

    private Chunks() {
    }

    /** {@code count} lines of {@code lineSize} bytes each (the last byte of each is {@code '\n'}). */
    static ByteBuf lines(int lineSize, int count) {
        ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(lineSize * count);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < lineSize - 1; j++) {
                chunk.writeByte('a' + (j % 26));
            }
            chunk.writeByte('\n');
        }
        return chunk;
    }

    /** {@code count} frames: a 4-byte big-endian length, then {@code payload} bytes. */
    static ByteBuf frames(int payload, int count) {
        ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer((payload + 4) * count);
        for (int i = 0; i < count; i++) {
            chunk.writeInt(payload);
            for (int j = 0; j < payload; j++) {
                chunk.writeByte('a' + (j % 26));
            }
        }
        return chunk;
    }

    /** {@code count} records of {@code size} bytes, ending alternately with {@code "\r\n"} and {@code "\0"}. */
    static ByteBuf records(int size, int count) {
        ByteBuf chunk = PooledByteBufAllocator.DEFAULT.directBuffer(size * count);
        for (int i = 0; i < count; i++) {
            boolean crlf = i % 2 == 0;
            int body = size - (crlf ? 2 : 1);
            for (int j = 0; j < body; j++) {
                chunk.writeByte('a' + (j % 26));
            }
            if (crlf) {
                chunk.writeByte('\r').writeByte('\n');
            } else {
                chunk.writeByte(0);
            }
        }
        return chunk;
    }

    /** The last inbound handler of a decoder pipeline: hands each frame to the black hole and releases it. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        private final Blackhole blackhole;
        private final boolean copy;
        int frames;

        /** @param copy whether to copy each frame to a {@code byte[]} first (what a reader's user receives) */
        Sink(Blackhole blackhole, boolean copy) {
            this.blackhole = blackhole;
            this.copy = copy;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                frames++;
                if (copy) {
                    ByteBuf frame = (ByteBuf) msg;
                    byte[] bytes = new byte[frame.readableBytes()];
                    frame.readBytes(bytes);
                    blackhole.consume(bytes);
                } else {
                    blackhole.consume(msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
