package dev.rotor.rotator.mariadb;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the rotator needs to know about the server it talks to, read once per connection pool.
 *
 * @param kind MariaDB or MySQL (Percona Server and other MySQL builds count as MySQL)
 * @param version the server's {@code VERSION()} text, for messages
 * @param major the major version, or -1 if it cannot be read
 * @param minor the minor version, or -1
 * @param patch the patch version, or -1
 * @param validatesPasswords MariaDB only: a password-validation plugin is active and
 *     {@code strict_password_validation} is on, so the server refuses a password given as a hash
 */
record ServerInfo(Kind kind, String version, int major, int minor, int patch, boolean validatesPasswords) {

    enum Kind {
        MARIADB("MariaDB"),
        MYSQL("MySQL");

        private final String display;

        Kind(String display) {
            this.display = display;
        }

        @Override
        public String toString() {
            return display;
        }
    }

    private static final Pattern NUMBERS = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /**
     * Reads {@code VERSION()} and {@code @@version_comment}. Older MariaDB servers announce
     * themselves as {@code 5.5.5-10.x.y-MariaDB} in the handshake; {@code VERSION()} has no such
     * prefix, but it is skipped here as well.
     */
    static ServerInfo parse(String version, @Nullable String versionComment, boolean validatesPasswords) {
        String lower = version.toLowerCase(Locale.ROOT);
        boolean mariadb = lower.contains("mariadb")
                || (versionComment != null && versionComment.toLowerCase(Locale.ROOT).contains("mariadb"));
        String numbers = version.startsWith("5.5.5-") && mariadb ? version.substring("5.5.5-".length()) : version;
        Matcher m = NUMBERS.matcher(numbers);
        int major = -1;
        int minor = -1;
        int patch = -1;
        if (m.find()) {
            major = Integer.parseInt(m.group(1));
            minor = Integer.parseInt(m.group(2));
            patch = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        }
        return new ServerInfo(mariadb ? Kind.MARIADB : Kind.MYSQL, version, major, minor, patch, mariadb && validatesPasswords);
    }

    /**
     * Whether the server keeps a second password per account ({@code RETAIN CURRENT PASSWORD},
     * {@code DISCARD OLD PASSWORD}): MySQL 8.0.14 and later. MariaDB has no dual passwords in any
     * version.
     */
    boolean supportsDualPassword() {
        if (kind != Kind.MYSQL || major < 0 || minor < 0) {
            return false;
        }
        if (major != 8) {
            return major > 8;
        }
        return minor > 0 || patch >= 14;
    }

    /**
     * Why the server has no dual passwords, for the PREPARE error; only meaningful when
     * {@link #supportsDualPassword()} is false.
     */
    String whyNoDualPassword() {
        if (kind == Kind.MARIADB) {
            return "MariaDB (" + version + ") has no dual passwords (RETAIN CURRENT PASSWORD is MySQL 8.0.14+ only)";
        }
        if (major < 0 || (major == 8 && minor == 0 && patch < 0)) {
            return "cannot tell from server version '" + version + "' whether it has dual passwords (MySQL 8.0.14+)";
        }
        return "MySQL " + version + " has no dual passwords (they came with MySQL 8.0.14)";
    }

    /** Whether the server reads {@code IDENTIFIED BY PASSWORD '*hash'} for native-password accounts. */
    boolean acceptsNativeHash() {
        return kind == Kind.MARIADB && !validatesPasswords;
    }
}
