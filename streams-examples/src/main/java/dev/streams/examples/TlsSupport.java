package dev.streams.examples;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS helpers shared by the commands: the server's contexts (PEM files, or a self-signed certificate made at
 * start), the clients' trust ({@code --cacert} on top of the JDK's trust store), a certificate's fingerprint, and the
 * TLS failure inside an exception.
 */
final class TlsSupport {

    /** The names a generated certificate is valid for (its subject alternative names). */
    static final String SELF_SIGNED_DNS = "localhost";
    static final String SELF_SIGNED_IP = "127.0.0.1";

    private TlsSupport() {
    }

    /**
     * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, valid from an hour ago for 30 days, made
     * with the JDK alone ({@link SelfSignedCertificate}). Its key never leaves memory.
     */
    static SelfSignedCertificate selfSigned() throws IOException {
        try {
            Instant now = Instant.now();
            return SelfSignedCertificate.make(SELF_SIGNED_DNS, SELF_SIGNED_IP, now.minus(Duration.ofHours(1)),
                    now.plus(Duration.ofDays(30)));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a self-signed certificate: " + Main.describe(e), e);
        }
    }

    /** A server context for a generated certificate. */
    static SslContext serverContext(SelfSignedCertificate generated) throws SSLException {
        return SslContextBuilder.forServer(generated.key(), generated.certificate()).build();
    }

    /**
     * A server context from a PEM certificate chain and a PKCS#8 PEM private key.
     *
     * @throws Cli.UsageException when the files cannot be read or do not hold what they should
     */
    static SslContext serverContext(Path cert, Path key) throws Cli.UsageException {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new Cli.UsageException("cannot use --cert " + cert + " --key " + key + ": " + Main.describe(e));
        }
    }

    /**
     * A client context: the JDK's trust store, plus the certificates of {@code cacert} when it is not null. Host name
     * verification is the library's (on for clients unless {@code ConnectOptions.hostnameVerification(false)}).
     *
     * @throws Cli.UsageException when {@code cacert} cannot be read or holds no certificate
     */
    static SslContext clientContext(Path cacert) throws Cli.UsageException {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (cacert != null) {
                builder.trustManager(trusted(cacert));
            }
            return builder.build();
        } catch (IOException e) {
            throw new Cli.UsageException(Main.describe(e));
        }
    }

    /** The JDK's default trust anchors plus the certificates in {@code cacert} (PEM or DER). */
    static List<X509Certificate> trusted(Path cacert) throws IOException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            List<X509Certificate> trusted = new ArrayList<>();
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    trusted.addAll(Arrays.asList(((X509TrustManager) manager).getAcceptedIssuers()));
                }
            }
            int before = trusted.size();
            try (InputStream in = Files.newInputStream(cacert)) {
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trusted.add((X509Certificate) certificate);
                }
            }
            if (trusted.size() == before) {
                throw new GeneralSecurityException("no certificate in the file");
            }
            return trusted;
        } catch (GeneralSecurityException | IOException e) {
            throw new SSLException("cannot use --cacert " + cacert + ": " + Main.describe(e), e);
        }
    }

    /** The SHA-256 fingerprint as keytool and openssl print it: {@code AB:CD:...}, upper case. */
    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e); // every JDK has it
        }
    }

    /** Writes the certificate as PEM, readable by {@code --cacert}, curl, openssl and Python's ssl module. */
    static void writePem(SelfSignedCertificate generated, Path file) throws IOException {
        try {
            Files.writeString(file, generated.pem(), StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the certificate: " + Main.describe(e), e);
        }
    }

    /** The first {@link SSLException} in the cause chain (a handshake that failed), or null. */
    static SSLException sslCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return (SSLException) c;
            }
        }
        return null;
    }
}
