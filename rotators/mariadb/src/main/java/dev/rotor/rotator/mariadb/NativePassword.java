package dev.rotor.rotator.mariadb;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The stored form of a {@code mysql_native_password} password: {@code *} and the upper-case hex
 * of SHA1(SHA1(password)), what the server's {@code PASSWORD()} computes. Sending this form
 * ({@code IDENTIFIED BY PASSWORD '*…'}) keeps the password itself out of the statement text, which
 * MariaDB writes verbatim to its general and slow query logs and shows in its process list.
 * Stateless.
 */
final class NativePassword {

    private NativePassword() {}

    static String hash(String password) {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] stage1 = sha1.digest(utf8);
            byte[] stage2 = sha1.digest(stage1);
            Arrays.fill(stage1, (byte) 0);
            return "*" + HexFormat.of().withUpperCase().formatHex(stage2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }
}
