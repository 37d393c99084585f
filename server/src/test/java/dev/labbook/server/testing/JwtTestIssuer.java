package dev.labbook.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * A JWT issuer for tests: RSA and EC signing keys, their JWKS, and tokens shaped like Kubernetes
 * projected ServiceAccount tokens or OIDC ID tokens.
 */
public final class JwtTestIssuer {
    private final String issuer;
    private final RSAKey rsa;
    private final ECKey ec;

    public JwtTestIssuer(String issuer) {
        this(issuer, "rsa-1", "ec-1");
    }

    public JwtTestIssuer(String issuer, String rsaKid, String ecKid) {
        this.issuer = issuer;
        this.rsa = newRsa(rsaKid);
        this.ec = newEc(ecKid);
    }

    private JwtTestIssuer(String issuer, RSAKey rsa, ECKey ec) {
        this.issuer = issuer;
        this.rsa = rsa;
        this.ec = ec;
    }

    /** The same keys under another issuer name (key generation is slow). */
    public JwtTestIssuer withIssuer(String otherIssuer) {
        return new JwtTestIssuer(otherIssuer, rsa, ec);
    }

    public static RSAKey newRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey newEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String issuer() {
        return issuer;
    }

    public RSAKey rsa() {
        return rsa;
    }

    public ECKey ec() {
        return ec;
    }

    /** The public JWKS, as an issuer publishes it. */
    public String jwks() {
        return jwksOf(rsa, ec);
    }

    public static String jwksOf(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString(false);
    }

    /** Writes the public JWKS to the file and returns it. */
    public Path writeJwks(Path file) {
        try {
            Files.writeString(file, jwks(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Claims of a projected ServiceAccount token of namespace/name (audience labbook, 1 h), issued at {@code now}. */
    public JWTClaimsSet.Builder serviceAccount(String namespace, String name, Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(List.of("labbook"))
                .subject("system:serviceaccount:" + namespace + ":" + name)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .claim("kubernetes.io", Map.of(
                        "namespace", namespace,
                        "pod", Map.of("name", name + "-pod-x7k2p", "uid", "1f6c1b7e-8a0c-4b3e-9a55-0d3f1b2c4d5e"),
                        "serviceaccount", Map.of("name", name, "uid", "6b1f0a3c-2d4e-4f5a-8b9c-0d1e2f3a4b5c")));
    }

    /** Claims of an OIDC ID token of a person (audience labbook, 1 h). */
    public JWTClaimsSet.Builder person(String subject, String email, boolean emailVerified, Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience("labbook")
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .claim("email", email)
                .claim("email_verified", emailVerified);
    }

    /** Signed with the RSA key (RS256). */
    public String rs256(JWTClaimsSet.Builder claims) {
        return sign(rsa, JWSAlgorithm.RS256, claims.build());
    }

    /** Signed with the EC key (ES256). */
    public String es256(JWTClaimsSet.Builder claims) {
        return sign(ec, JWSAlgorithm.ES256, claims.build());
    }

    /** Signed with any key (its kid in the header). */
    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
            jwt.sign(key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
