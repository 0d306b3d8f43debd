package dev.rotor.benchmarks;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret every read benchmark serves: a JSON credential of the usual shape, the same
 * size for Rotor and for the AWS caching client. The password is random per JVM so that no
 * benchmark can be satisfied by a constant folded into the code.
 */
public final class BenchmarkSecret {

    /** The path (Rotor) and secret name (AWS) it is stored under. */
    public static final String PATH = "bench/db-credentials";

    private static final String JSON = newJson();

    private BenchmarkSecret() {}

    /** {@code {"username":"app","password":"<64 hex digits>"}}. */
    public static String json() {
        return JSON;
    }

    private static String newJson() {
        byte[] password = new byte[32];
        new SecureRandom().nextBytes(password);
        return "{\"username\":\"app\",\"password\":\"" + HexFormat.of().formatHex(password) + "\"}";
    }
}
