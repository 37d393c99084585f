package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.testing.SelfSignedCertificate;
import dev.labbook.server.testing.SelfSignedCertificate.KeyEncoding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ServerTlsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(KeyEncoding.class)
    void everyKeyEncodingBecomesTheSamePkcs8Key(KeyEncoding encoding) throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(tmp, encoding);

        String pem = new String(ServerTls.pkcs8Pem(Files.readString(cert.key()), cert.key()), StandardCharsets.US_ASCII);

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String algorithm = encoding == KeyEncoding.EC_SEC1 ? "EC" : "RSA";
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        // The same key: what it signs, the certificate's public key verifies.
        java.security.Signature signer = java.security.Signature.getInstance(
                encoding == KeyEncoding.EC_SEC1 ? "SHA256withECDSA" : "SHA256withRSA");
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        signer.initVerify(cert.keyPair().getPublic());
        signer.update(new byte[] {1, 2, 3});
        assertThat(signer.verify(signature)).isTrue();
        assertThat(ServerTls.credentials(cert.cert(), cert.key())).isNotNull();
    }

    @Test
    void anEncryptedKeyIsRejectedWithAReason() throws Exception {
        Path key = Files.writeString(tmp.resolve("k.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

        assertThatThrownBy(() -> ServerTls.pkcs8Pem(Files.readString(key), key))
                .hasMessageContaining("is encrypted; give an unencrypted key");
    }

    @Test
    void aFileWithoutKeyIsRejected() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(tmp, KeyEncoding.RSA_PKCS8);

        assertThatThrownBy(() -> ServerTls.credentials(cert.cert(), cert.cert()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds no PEM private key");
    }
}
