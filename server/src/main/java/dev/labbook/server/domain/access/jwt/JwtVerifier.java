package dev.labbook.server.domain.access.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a JWT: an asymmetric signature (RS*, PS*, ES*; never {@code none} or HMAC, whose
 * "secret" would be the public key an attacker knows) by a key of its issuer chosen by
 * {@code kid}; {@code iss} one of the configured issuers exactly; {@code aud} containing the
 * configured audience; {@code exp} present and not past, {@code nbf} and {@code iat} not in the
 * future, each with {@link #CLOCK_SKEW} of tolerance.
 */
public final class JwtVerifier {
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    static final Set<JWSAlgorithm> ALLOWED = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final Map<String, IssuerKeys> issuers;
    private final String audience;
    private final Clock clock;

    /** @param issuers keys by exact {@code iss} value */
    public JwtVerifier(Map<String, IssuerKeys> issuers, String audience, Clock clock) {
        this.issuers = Map.copyOf(issuers);
        this.audience = audience;
        this.clock = clock;
    }

    /** Loads every issuer's keys once, so that a misconfiguration shows in the log at start. */
    public void warmUp() {
        issuers.values().forEach(IssuerKeys::warmUp);
    }

    /**
     * @return the verified claims
     * @throws dev.labbook.server.domain.access.UnauthenticatedException when any check fails
     */
    public JWTClaimsSet verify(String token) {
        SignedJWT jwt = parse(token);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw JwtRejection.invalid("malformed", "the claims are not a JSON object");
        }
        IssuerKeys keys = claims.getIssuer() == null ? null : issuers.get(claims.getIssuer());
        if (keys == null) {
            throw JwtRejection.invalid("issuer_unknown", "issuer " + JwtRejection.shown(claims.getIssuer())
                    + " is not configured (--jwt-issuers)");
        }
        checkSignature(jwt, keys, claims.getIssuer());
        checkTimes(claims);
        List<String> audiences = claims.getAudience();
        if (!audiences.contains(audience)) {
            throw JwtRejection.invalid("audience_wrong", "the audience (aud) is " + JwtRejection.shown(
                    String.join(",", audiences)) + ", not " + audience + " (--jwt-audience)");
        }
        return claims;
    }

    private static SignedJWT parse(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw JwtRejection.invalid("malformed", "not a well-formed JWT");
        }
        if (jwt instanceof PlainJWT) {
            throw JwtRejection.invalid("alg_none", "unsigned (alg none)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw JwtRejection.invalid("malformed", "encrypted JWTs are not accepted");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw JwtRejection.invalid("alg_hmac", "HMAC-signed (" + alg + "); only RSA and EC signatures are accepted");
        }
        if (!ALLOWED.contains(alg)) {
            throw JwtRejection.invalid("alg_unsupported", "algorithm " + JwtRejection.shown(alg.getName())
                    + " is not accepted (RS256/384/512, PS256/384/512, ES256/384/512 are)");
        }
        return signed;
    }

    private static void checkSignature(SignedJWT jwt, IssuerKeys keys, String issuer) {
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates = keys.select(JWKMatcher.forJWSHeader(header));
        if (candidates.isEmpty()) {
            throw JwtRejection.invalid("kid_unknown", "issuer " + issuer + " has no " + header.getAlgorithm()
                    + " key with key id (kid) " + JwtRejection.shown(header.getKeyID()));
        }
        for (JWK key : candidates) {
            try {
                if (jwt.verify(verifierFor(key))) {
                    return;
                }
            } catch (JOSEException e) {
                // a key that cannot check this signature (e.g. another curve): try the next one
            }
        }
        throw JwtRejection.invalid("signature_invalid", "the signature does not match the key of issuer " + issuer
                + " with key id (kid) " + JwtRejection.shown(header.getKeyID()));
    }

    private static JWSVerifier verifierFor(JWK key) throws JOSEException {
        if (key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        throw new JOSEException("unsupported key type " + key.getKeyType());
    }

    private void checkTimes(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw JwtRejection.invalid("exp_missing", "no expiry (exp)");
        }
        if (now.isAfter(exp.toInstant().plus(CLOCK_SKEW))) {
            throw JwtRejection.expired(exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
            throw JwtRejection.invalid("not_yet_valid", "not valid before " + nbf.toInstant() + " (nbf)");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && iat.toInstant().isAfter(now.plus(CLOCK_SKEW))) {
            throw JwtRejection.invalid("issued_in_future", "issued in the future (iat " + iat.toInstant() + ")");
        }
    }
}
