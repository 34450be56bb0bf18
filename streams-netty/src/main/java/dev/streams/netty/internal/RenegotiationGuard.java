package dev.streams.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import javax.net.ssl.SSLHandshakeException;

/**
 * In front of a server's {@link SslHandler}: refuses TLS 1.2 renegotiation started by the client, with either TLS
 * provider. Each renegotiation costs the server a full handshake (a signature, a key exchange) while it costs the
 * client little, so a client that renegotiates in a loop burns the server's CPU on one connection. TLS 1.3 has no
 * renegotiation.
 *
 * <p>How it is recognised, on the plaintext record headers of what the client sends (type, version, length; the
 * contents stay encrypted): in TLS 1.2 the client sends one {@code change_cipher_spec} record in its handshake, then
 * exactly one handshake record (its Finished). A second handshake record after the {@code change_cipher_spec} can
 * only be a new ClientHello: a renegotiation, whether the server asked for it or not (this library's servers never
 * do). In TLS 1.3 handshake records after {@code change_cipher_spec} are encrypted as application data; the one
 * plaintext ClientHello that may follow it (after a HelloRetryRequest) is the one allowed. Once a TLS 1.3 handshake is
 * done, the guard stops looking. The decision is made before the {@link SslHandler} sees the record, so the server
 * spends nothing on it (the JDK's engine would renegotiate; OpenSSL's refuses once it has read the ClientHello).
 *
 * <p>What happens then: the bytes before that record go on as usual (they are the connection's), the rest is dropped,
 * an {@link SSLHandshakeException} "client-initiated TLS renegotiation refused" is fired through the pipeline (the
 * stream handler logs it at DEBUG with the connection's name and fails the reader with it, after the bytes already
 * received), and the channel is closed (close_notify, then the socket).
 *
 * <p><b>Buffer ownership.</b> Buffers pass on untouched while there is nothing to refuse. At a refusal the guard
 * owns the buffer: it hands a retained slice of the bytes before the renegotiation on and releases the buffer, and
 * it releases every buffer that arrives after.
 */
public final class RenegotiationGuard extends ChannelInboundHandlerAdapter {

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int LAST_CONTENT_TYPE = 24; // heartbeat; what is not 20-24 is not TLS: SslHandler refuses it

    /** False once it is known that nothing needs to be looked at (TLS 1.3, or not TLS at all). */
    private boolean inspecting = true;
    private boolean refused;
    private boolean watchingHandshake;
    /** Header bytes of the current record read so far (0-5); then {@code bodyLeft} bytes of it follow. */
    private int headerBytes;
    private int lengthHigh;
    private int bodyLeft;
    private boolean changeCipherSpecSeen;
    private int handshakeRecordsAfterChangeCipherSpec;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the connection is closing: nothing more goes to TLS
            return;
        }
        if (!inspecting || !(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        watchHandshake(ctx);
        ByteBuf in = (ByteBuf) msg;
        int renegotiation = scan(in);
        if (renegotiation < 0) {
            ctx.fireChannelRead(in); // the SslHandler owns it from here on
            return;
        }
        refused = true;
        int before = renegotiation - in.readerIndex();
        try {
            if (before > 0) {
                ctx.fireChannelRead(in.retainedSlice(in.readerIndex(), before)); // the SslHandler owns the slice
            }
        } finally {
            in.release(); // ours since the refusal
        }
        ctx.fireExceptionCaught(new SSLHandshakeException("client-initiated TLS renegotiation refused"));
        ctx.channel().close(); // from the end of the pipeline, so through the SslHandler: close_notify first
    }

    /** Once the handshake is done: with TLS 1.3 there is nothing more to look at. */
    private void watchHandshake(ChannelHandlerContext ctx) {
        if (watchingHandshake) {
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return;
        }
        watchingHandshake = true;
        ssl.handshakeFuture().addListener((Future<Channel> done) -> {
            if (done.isSuccess() && "TLSv1.3".equals(ssl.engine().getSession().getProtocol())) {
                inspecting = false;
            }
        });
    }

    /**
     * Follows the record headers through {@code in}; returns the index where a refused record starts (a record
     * header split across buffers counts from this buffer's start), or -1.
     */
    private int scan(ByteBuf in) {
        int end = in.writerIndex();
        int i = in.readerIndex();
        while (i < end) {
            if (bodyLeft > 0) {
                int skip = Math.min(bodyLeft, end - i);
                bodyLeft -= skip;
                i += skip;
                continue;
            }
            int b = in.getUnsignedByte(i);
            switch (headerBytes) {
                case 0:
                    if (b < CHANGE_CIPHER_SPEC || b > LAST_CONTENT_TYPE) {
                        inspecting = false; // not a TLS record (an SSLv2 hello, garbage): the SslHandler refuses it
                        return -1;
                    }
                    if (b == CHANGE_CIPHER_SPEC) {
                        changeCipherSpecSeen = true;
                    } else if (b == HANDSHAKE && changeCipherSpecSeen
                            && ++handshakeRecordsAfterChangeCipherSpec > 1) {
                        return i;
                    }
                    break;
                case 3:
                    lengthHigh = b;
                    break;
                case 4:
                    bodyLeft = (lengthHigh << 8) | b;
                    break;
                default: // the version's two bytes
                    break;
            }
            headerBytes = headerBytes == 4 ? 0 : headerBytes + 1;
            i++;
        }
        return -1;
    }
}
