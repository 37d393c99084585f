package dev.labbook.server.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A self-signed server certificate for localhost and 127.0.0.1, made with Bouncy Castle, written
 * as PEM files: {@code cert} (also the trust root of test clients) and {@code key} in the
 * requested encoding.
 */
public record SelfSignedCertificate(Path cert, Path key, KeyPair keyPair) {

    /** How the private key file is encoded. */
    public enum KeyEncoding {
        /** RSA key, "BEGIN PRIVATE KEY". */
        RSA_PKCS8,
        /** RSA key, "BEGIN RSA PRIVATE KEY" (openssl genrsa, cert-manager's default). */
        RSA_PKCS1,
        /** P-256 key, "BEGIN EC PRIVATE KEY" with the curve named. */
        EC_SEC1
    }

    @SuppressWarnings("deprecation")
    public static SelfSignedCertificate create(Path dir, KeyEncoding encoding) throws IOException,
            GeneralSecurityException {
        boolean ec = encoding == KeyEncoding.EC_SEC1;
        KeyPairGenerator generator = KeyPairGenerator.getInstance(ec ? "EC" : "RSA");
        if (ec) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        KeyPair pair = generator.generateKeyPair();
        X500Principal subject = new X500Principal("CN=localhost");
        org.bouncycastle.x509.X509V3CertificateGenerator builder = new org.bouncycastle.x509.X509V3CertificateGenerator();
        builder.setSerialNumber(BigInteger.valueOf(System.nanoTime()));
        builder.setIssuerDN(subject);
        builder.setSubjectDN(subject);
        builder.setNotBefore(new Date(System.currentTimeMillis() - 60_000));
        builder.setNotAfter(new Date(System.currentTimeMillis() + 86_400_000));
        builder.setPublicKey(pair.getPublic());
        builder.setSignatureAlgorithm(ec ? "SHA256withECDSA" : "SHA256withRSA");
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate certificate = builder.generate(pair.getPrivate(), new java.security.SecureRandom());
        certificate.verify(pair.getPublic(), new BouncyCastleProvider());

        Files.createDirectories(dir);
        Path cert = dir.resolve("tls.crt");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        String keyPem = switch (encoding) {
            case RSA_PKCS8 -> pem("PRIVATE KEY", pkcs8);
            case RSA_PKCS1 -> pem("RSA PRIVATE KEY", PrivateKeyInfo.getInstance(pkcs8).parsePrivateKey()
                    .toASN1Primitive().getEncoded());
            case EC_SEC1 -> {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
                org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                        info.parsePrivateKey());
                // SEC1 as openssl writes it: the curve inside the key structure.
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                        inner.getKey(), inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
                yield pem("EC PRIVATE KEY", sec1.getEncoded());
            }
        };
        Path key = dir.resolve("tls.key");
        Files.writeString(key, keyPem, StandardCharsets.US_ASCII);
        return new SelfSignedCertificate(cert, key, pair);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
