package dev.rotor.local;

import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The reversible mapping between secret paths and file names.
 *
 * <p>A path is first encoded character by character into the alphabet {@code [a-z0-9._+-]},
 * which is safe and case-insensitive-proof on every common file system:
 * {@code a-z 0-9 . -} stay as they are, {@code _} becomes {@code __}, an upper-case letter
 * becomes {@code _} and its lower-case form, and {@code /} becomes {@code +}. The code is
 * prefix-free, so it is reversible and {@code encode(p)} starts with {@code encode(q)} exactly
 * when {@code p} starts with {@code q}.
 *
 * <p>An encoded name of at most {@value #CHUNK} characters is the file
 * {@code <name>.sec}. A longer one is cut into chunks of {@value #CHUNK} characters; every chunk
 * but the last is a directory {@code <chunk>.more}, and the last chunk names the file, so no
 * file name exceeds {@value #CHUNK} + 4 characters (plus a temporary suffix while writing).
 * A deleted secret leaves a tombstone {@code <name>.gone} in the same place. Stateless.
 */
final class FileNames {

    /** Longest encoded chunk in one file name; leaves room below the 143-byte limit of eCryptfs. */
    static final int CHUNK = 100;
    static final String SECRET_SUFFIX = ".sec";
    static final String TOMBSTONE_SUFFIX = ".gone";
    static final String DIR_SUFFIX = ".more";

    private FileNames() {}

    static String encode(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 8);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                sb.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                sb.append('_').append(Character.toLowerCase(c));
            } else if (c == '_') {
                sb.append("__");
            } else if (c == '/') {
                sb.append('+');
            } else {
                throw new IllegalArgumentException("character not allowed in a secret path at index " + i);
            }
        }
        return sb.toString();
    }

    /** The path an encoded name stands for, or {@code null} if it is not the encoding of a valid path. */
    static @Nullable String decode(String encoded) {
        StringBuilder sb = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                sb.append(c);
            } else if (c == '+') {
                sb.append('/');
            } else if (c == '_' && i + 1 < encoded.length()) {
                char n = encoded.charAt(++i);
                if (n == '_') {
                    sb.append('_');
                } else if (n >= 'a' && n <= 'z') {
                    sb.append(Character.toUpperCase(n));
                } else {
                    return null;
                }
            } else {
                return null;
            }
        }
        String path = sb.toString();
        try {
            SecretRef.checkPath(path);
        } catch (InvalidSecretRefException e) {
            return null;
        }
        return path;
    }

    /** The file holding the secret at {@code path}. */
    static Path secretFile(Path secretsDir, String path) {
        return place(secretsDir, path, SECRET_SUFFIX);
    }

    /** The tombstone a deletion of {@code path} leaves. */
    static Path tombstoneFile(Path secretsDir, String path) {
        return place(secretsDir, path, TOMBSTONE_SUFFIX);
    }

    private static Path place(Path secretsDir, String path, String suffix) {
        String enc = encode(path);
        Path dir = secretsDir;
        int pos = 0;
        while (enc.length() - pos > CHUNK) {
            dir = dir.resolve(enc.substring(pos, pos + CHUNK) + DIR_SUFFIX);
            pos += CHUNK;
        }
        return dir.resolve(enc.substring(pos) + suffix);
    }

    /**
     * The paths of all secret files under {@code secretsDir} whose path starts with
     * {@code prefix}, unsorted. Reads directory entries only, never file contents, so a corrupt
     * file is listed too. Ignores anything that is not a well-formed name (temporary files,
     * tombstones, foreign files).
     */
    static List<String> list(Path secretsDir, String prefix) throws IOException {
        String encodedPrefix;
        try {
            encodedPrefix = encode(prefix);
        } catch (IllegalArgumentException e) {
            return List.of(); // no path contains a character that cannot be encoded
        }
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(secretsDir)) {
            walk(secretsDir, "", encodedPrefix, out);
        }
        return out;
    }

    private static void walk(Path dir, String encodedSoFar, String encodedPrefix, List<String> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(SECRET_SUFFIX) && name.length() > SECRET_SUFFIX.length()
                        && name.length() - SECRET_SUFFIX.length() <= CHUNK
                        && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    String enc = encodedSoFar + name.substring(0, name.length() - SECRET_SUFFIX.length());
                    if (enc.startsWith(encodedPrefix)) {
                        String path = decode(enc);
                        if (path != null) {
                            out.add(path);
                        }
                    }
                } else if (name.endsWith(DIR_SUFFIX) && name.length() - DIR_SUFFIX.length() == CHUNK
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    String enc = encodedSoFar + name.substring(0, CHUNK);
                    if (enc.startsWith(encodedPrefix) || encodedPrefix.startsWith(enc)) {
                        walk(entry, enc, encodedPrefix, out);
                    }
                }
            }
        }
    }
}
