package dev.streams.examples;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;

/**
 * A self-signed X.509 certificate made with the JDK alone: an EC P-256 key pair, and the certificate's DER written
 * here and signed with SHA-256/ECDSA. The JDK can read and verify certificates but has no public API to make one;
 * a certificate is a small fixed structure, so these lines replace a 9 MB certificate library in the jar. The key
 * never leaves memory.
 *
 * <p>The certificate is its own issuer (a CA, so that a client can trust it with {@code --cacert}) and a server
 * certificate: basic constraints {@code CA:TRUE} (critical), key usage digitalSignature and keyCertSign
 * (critical), extended key usage serverAuth, subject and authority key identifiers, and the subject alternative
 * names given. Java, OpenSSL ({@code verify -x509_strict}) and Python's {@code ssl} (with {@code VERIFY_X509_STRICT})
 * accept it.
 *
 * @param key         the private key
 * @param certificate the certificate
 */
record SelfSignedCertificate(PrivateKey key, X509Certificate certificate) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Makes a key pair and a certificate for {@code CN=dnsName} with {@code dnsName} and {@code ipAddress} as
     * subject alternative names, valid from {@code notBefore} to {@code notAfter}.
     */
    static SelfSignedCertificate make(String dnsName, String ipAddress, Instant notBefore, Instant notAfter)
            throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        KeyPair keys = generator.generateKeyPair();
        byte[] publicKeyInfo = keys.getPublic().getEncoded(); // SubjectPublicKeyInfo, DER
        byte[] keyId = keyIdentifier(publicKeyInfo);
        byte[] ecdsaWithSha256 = sequence(oid("1.2.840.10045.4.3.2"));
        byte[] name = sequence(set(sequence(oid("2.5.4.3"), tlv(0x0C, dnsName.getBytes(StandardCharsets.UTF_8)))));
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] = (byte) ((serial[0] & 0x7F) | 0x40); // positive, 16 bytes long

        byte[] extensions = sequence(
                extension("2.5.29.19", true, sequence(tlv(0x01, (byte) 0xFF))), // basicConstraints: CA
                // keyUsage: digitalSignature (bit 0) and keyCertSign (bit 5); 2 unused bits
                extension("2.5.29.15", true, tlv(0x03, (byte) 2, (byte) 0x84)),
                extension("2.5.29.37", false, sequence(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage: serverAuth
                extension("2.5.29.14", false, tlv(0x04, keyId)), // subjectKeyIdentifier
                extension("2.5.29.35", false, sequence(tlv(0x80, keyId))), // authorityKeyIdentifier: keyIdentifier
                extension("2.5.29.17", false, sequence( // subjectAltName: dNSName [2], iPAddress [7]
                        tlv(0x82, dnsName.getBytes(StandardCharsets.US_ASCII)),
                        tlv(0x87, ipBytes(ipAddress)))));
        byte[] tbs = sequence(
                tlv(0xA0, tlv(0x02, (byte) 2)), // version: v3
                tlv(0x02, serial),
                ecdsaWithSha256,
                name, // issuer: itself
                sequence(time(notBefore), time(notAfter)),
                name,
                publicKeyInfo,
                tlv(0xA3, extensions));

        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate());
        signer.update(tbs);
        byte[] signature = signer.sign(); // DER ECDSA-Sig-Value
        byte[] der = sequence(tbs, ecdsaWithSha256, tlv(0x03, concat(new byte[] {0}, signature)));

        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        certificate.verify(keys.getPublic()); // what was written is what was meant
        return new SelfSignedCertificate(keys.getPrivate(), certificate);
    }

    /** The certificate as PEM. */
    String pem() throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** RFC 5280's key identifier (method 1): SHA-1 of the subjectPublicKey bits. */
    private static byte[] keyIdentifier(byte[] spki) throws GeneralSecurityException {
        // SEQUENCE { AlgorithmIdentifier, BIT STRING }: skip the outer header and the algorithm, keep the key bits
        // (after the BIT STRING's unused-bits byte).
        int algorithm = headerLength(spki, 0);
        int bitString = algorithm + headerLength(spki, algorithm) + contentLength(spki, algorithm);
        int bits = bitString + headerLength(spki, bitString);
        return MessageDigest.getInstance("SHA-1").digest(Arrays.copyOfRange(spki, bits + 1,
                bits + contentLength(spki, bitString)));
    }

    private static int headerLength(byte[] der, int at) {
        int first = der[at + 1] & 0xFF;
        return first < 0x80 ? 2 : 2 + (first & 0x7F);
    }

    private static int contentLength(byte[] der, int at) {
        int first = der[at + 1] & 0xFF;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xFF);
        }
        return length;
    }

    private static byte[] extension(String id, boolean critical, byte[] value) {
        return critical ? sequence(oid(id), tlv(0x01, (byte) 0xFF), tlv(0x04, value))
                : sequence(oid(id), tlv(0x04, value));
    }

    /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280, 4.1.2.5). */
    private static byte[] time(Instant instant) {
        ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
        boolean utcTime = utc.getYear() < 2050;
        String text = utc.format(DateTimeFormatter.ofPattern(utcTime ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'"));
        return tlv(utcTime ? 0x17 : 0x18, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] ipBytes(String ipAddress) throws GeneralSecurityException {
        try {
            return InetAddress.getByName(ipAddress).getAddress(); // an IP literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new GeneralSecurityException("not an IP address: " + ipAddress, e);
        }
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((arc >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] set(byte[]... parts) {
        return tlv(0x31, concat(parts));
    }

    private static byte[] tlv(int tag, byte... content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 4);
        out.write(tag);
        if (content.length < 0x80) {
            out.write(content.length);
        } else {
            byte[] length = BigInteger.valueOf(content.length).toByteArray();
            int skip = length[0] == 0 ? 1 : 0;
            out.write(0x80 | (length.length - skip));
            out.write(length, skip, length.length - skip);
        }
        out.write(content, 0, content.length);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }
}
