package dev.trellis.finetune.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The server's API key, compared in constant time: both sides are hashed to SHA-256 first, so
 * {@link MessageDigest#isEqual} compares equal-length digests and neither the key's content nor its
 * length leaks through response timing.
 */
final class ApiKey {

    private final byte[] digest;

    ApiKey(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("API key must not be blank; leave it unset to serve without one");
        }
        this.digest = sha256(key);
    }

    /** Whether an {@code Authorization} header value carries this key as a bearer token. */
    boolean matchesAuthorization(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(header.substring(7).trim()));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
