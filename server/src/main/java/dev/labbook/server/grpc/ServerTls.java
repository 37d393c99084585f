package dev.labbook.server.grpc;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * TLS server credentials from PEM files. Netty reads PKCS#8 keys only, while cert-manager and
 * {@code openssl genrsa}/{@code ecparam} write PKCS#1 RSA and SEC1 EC keys by default; those
 * are rewrapped as PKCS#8 here so any of the three works.
 */
public final class ServerTls {
    private static final Pattern KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1PRIVATE KEY-----");

    private ServerTls() {
    }

    public static ServerCredentials credentials(Path certChainFile, Path privateKeyFile) {
        try (InputStream chain = Files.newInputStream(certChainFile)) {
            byte[] key = pkcs8Pem(Files.readString(privateKeyFile, StandardCharsets.US_ASCII), privateKeyFile);
            return TlsServerCredentials.newBuilder().keyManager(chain, new ByteArrayInputStream(key)).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot use TLS certificate " + certChainFile + " with key "
                    + privateKeyFile + ": " + e.getMessage(), e);
        }
    }

    /** The key as a PKCS#8 PEM ("BEGIN PRIVATE KEY"), converted from PKCS#1 RSA or SEC1 EC. */
    public static byte[] pkcs8Pem(String pem, Path file) throws IOException {
        Matcher m = KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(file + " holds no PEM private key");
        }
        String type = m.group(1).trim();
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        byte[] pkcs8 = switch (type) {
            case "" -> der;
            case "RSA" -> new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption,
                    DERNull.INSTANCE), ASN1Primitive.fromByteArray(der)).getEncoded();
            case "EC" -> {
                ECPrivateKey ec = ECPrivateKey.getInstance(der);
                if (ec.getParametersObject() == null) {
                    throw new IllegalArgumentException("the EC key in " + file + " does not name its curve");
                }
                yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        ec.getParametersObject()), ec).getEncoded();
            }
            case "ENCRYPTED" -> throw new IllegalArgumentException("the key in " + file
                    + " is encrypted; give an unencrypted key (protect the file instead)");
            default -> throw new IllegalArgumentException("unsupported key type '" + type + " PRIVATE KEY' in "
                    + file);
        };
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8);
        return ("-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
