package dev.rotor.local;

import dev.rotor.InvalidConfigurationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 256-bit master key of a local store. The store never uses it directly: it derives one
 * sub-key per purpose from it (see {@code docs/local-store.md}).
 *
 * <p>Its text form is the standard base64 of the 32 bytes (44 characters), which is what a key
 * file holds and what the {@code ROTOR_MASTER_KEY} environment variable carries.
 * {@link #toString()} never shows it. Errors name the key file, never its content.
 *
 * <p>Thread-safe for reading; {@link #destroy()} must not race with a use of the key.
 */
public final class MasterKey {

    /** Length of a master key in bytes. */
    public static final int LENGTH = 32;

    private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] bytes;
    private volatile boolean destroyed;

    private MasterKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A new random key from {@link SecureRandom}. */
    public static MasterKey generate() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new MasterKey(b);
    }

    /**
     * Parses the base64 text form; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException if the text is not base64 of exactly 32 bytes; the
     *     message describes the problem without quoting the text
     */
    public static MasterKey parse(String base64) {
        Objects.requireNonNull(base64, "base64");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            // The decoder's message quotes the offending character: do not pass it on.
            throw new IllegalArgumentException("master key is not valid base64");
        }
        if (decoded.length != LENGTH) {
            int n = decoded.length;
            Arrays.fill(decoded, (byte) 0);
            throw new IllegalArgumentException("master key must be " + LENGTH + " bytes (44 base64 characters), but it decodes to " + n + " bytes");
        }
        return new MasterKey(decoded);
    }

    /**
     * Reads a key file written by {@link #writeNew} (or any file holding the base64 form). Logs a
     * warning if group or others may read the file.
     *
     * @throws InvalidConfigurationException naming the file if it is missing, unreadable or malformed
     */
    public static MasterKey read(Path keyFile) {
        Objects.requireNonNull(keyFile, "keyFile");
        byte[] content;
        try {
            content = Files.readAllBytes(keyFile);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigurationException(keyFile.toString(), "key file does not exist (create one with 'rotor keygen')");
        } catch (IOException e) {
            throw new InvalidConfigurationException(keyFile.toString(), "key file cannot be read: " + e.getClass().getSimpleName());
        }
        warnIfExposed(keyFile);
        String text = new String(content, StandardCharsets.US_ASCII);
        Arrays.fill(content, (byte) 0);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(keyFile.toString(), "key file does not hold a valid key: " + e.getMessage());
        }
    }

    /**
     * Creates {@code keyFile} holding a new random key, readable and writable by the owner only
     * (mode 0600 where the file system has POSIX permissions). Missing parent directories are
     * created (mode 0700). Never overwrites.
     *
     * @return the new key
     * @throws InvalidConfigurationException naming the file if it already exists or cannot be written
     */
    public static MasterKey writeNew(Path keyFile) {
        Objects.requireNonNull(keyFile, "keyFile");
        MasterKey key = generate();
        byte[] text = (key.toBase64() + "\n").getBytes(StandardCharsets.US_ASCII);
        boolean posix = supportsPosix(keyFile);
        try {
            Path parent = keyFile.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                if (posix) {
                    Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(parent);
                }
            }
            FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(keyFile, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                if (posix) {
                    // The umask can only remove bits, but set it explicitly so the intent is on record.
                    Files.setPosixFilePermissions(keyFile, OWNER_ONLY);
                }
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (parent != null) {
                AtomicFiles.syncDirectory(parent);
            }
            return key;
        } catch (FileAlreadyExistsException e) {
            key.destroy();
            throw new InvalidConfigurationException(keyFile.toString(), "key file already exists; refusing to overwrite it");
        } catch (IOException e) {
            key.destroy();
            throw new InvalidConfigurationException(keyFile.toString(), "key file cannot be written: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }

    /** The base64 text form. This is the secret itself: handle it as such. */
    public String toBase64() {
        checkAlive();
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** The raw key, for deriving sub-keys; not copied, callers must not keep or change it. */
    byte[] bytes() {
        checkAlive();
        return bytes;
    }

    /** Zeroes the key; later uses fail. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException("master key was destroyed");
        }
    }

    @Override
    public String toString() {
        return "MasterKey[<redacted>]";
    }

    private static void warnIfExposed(Path keyFile) {
        if (!supportsPosix(keyFile)) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            if (perms.stream().anyMatch(p -> !OWNER_ONLY.contains(p) && p != PosixFilePermission.OWNER_EXECUTE)) {
                LOG.warn("key file {} is accessible to group or others (mode {}); make it owner-only: chmod 600 {}",
                        keyFile, PosixFilePermissions.toString(perms), keyFile);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot read the permissions of key file {}", keyFile, e);
        }
    }

    private static boolean supportsPosix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
