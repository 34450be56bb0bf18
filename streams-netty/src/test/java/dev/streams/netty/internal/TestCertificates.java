package dev.streams.netty.internal;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

/** The certificates most TLS tests need: a test root, and a server certificate it issues for localhost. */
public final class TestCertificates {

    private TestCertificates() {
    }

    /** A self-signed certificate authority named {@code CN=commonName}. */
    public static X509Bundle root(String commonName) throws Exception {
        return new CertificateBuilder().subject("CN=" + commonName).setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
    }

    /** A server certificate issued by {@code root} for {@code localhost} and {@code 127.0.0.1}. */
    public static X509Bundle localhost(X509Bundle root) throws Exception {
        return new CertificateBuilder().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                .addExtendedKeyUsageServerAuth().ecp256().buildIssuedBy(root);
    }
}
