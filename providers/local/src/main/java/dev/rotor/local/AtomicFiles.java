package dev.rotor.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe file replacement: write a temporary file next to the target, force it to disk,
 * rename it over the target, force the directory. {@link #write} does it all; a secret write
 * calls {@link #prepare} outside the store lock, {@link #commit} under it and
 * {@link #syncDirectory} after it. A reader sees the old file or the new one,
 * never a mix; after a crash the target is whole, old or new. Stateless and thread-safe.
 */
final class AtomicFiles {

    /** Infix of temporary files; no encoded secret name contains it (see {@link FileNames}). */
    static final String TEMP_MARK = "~tmp-";

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Replaces (or creates) {@code target} with {@code content}, durably. */
    static void write(Path target, byte[] content) throws IOException {
        Path temp = prepare(target, content);
        boolean moved = false;
        try {
            moved = commit(temp, target);
            if (!moved) {
                throw new NoSuchFileException(temp.toString(), null, "temporary file vanished before the rename");
            }
        } finally {
            if (!moved) {
                discard(temp);
            }
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Writes {@code content} to a new temporary file next to {@code target} and forces its data
     * to disk: step one of a replacement, which {@link #commit} completes. Needs no lock: the
     * name is fresh and nobody reads temporary files.
     *
     * @return the temporary file
     */
    static Path prepare(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        byte[] suffix = new byte[8];
        RANDOM.nextBytes(suffix);
        Path temp = dir.resolve(target.getFileName() + TEMP_MARK + HexFormat.of().formatHex(suffix));
        boolean written = false;
        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(dir))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            // fdatasync: the data and what is needed to read it back (the size), not the times.
            ch.force(false);
            written = true;
        } finally {
            if (!written) {
                discard(temp);
            }
        }
        return temp;
    }

    /**
     * Renames a {@linkplain #prepare prepared} file over {@code target}, atomically. The rename is
     * durable only once the directory is {@linkplain #syncDirectory synced}.
     *
     * @return false if the temporary file is gone (a store opened meanwhile removed it as a
     *     leftover); {@code target} is then unchanged
     */
    static boolean commit(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + temp.getParent() + " cannot rename atomically", e);
        } catch (NoSuchFileException e) {
            if (Files.exists(temp.getParent())) {
                return false;
            }
            throw e;
        }
    }

    /** Removes a temporary file that will not be committed; best effort, it is never read. */
    static void discard(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.debug("cannot remove temporary file {}; the next open of the store removes it", temp, e);
        }
    }

    /** Deletes {@code file} if it exists, durably. @return whether it existed */
    static boolean delete(Path file) throws IOException {
        boolean existed = Files.deleteIfExists(file);
        if (existed) {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        return existed;
    }

    /**
     * Forces a directory's entries (renames, creations, deletions) to disk. Some platforms
     * (Windows) cannot open a directory for this; there the rename is as durable as the file
     * system makes it, and this does nothing.
     */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.trace("cannot force directory {} to disk on this platform", dir, e);
        }
    }

    /** Creates {@code dir} and missing parents, owner-only where POSIX permissions exist. */
    static void createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute, ownerOnlyDirectory(absolute));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
            return; // created concurrently by another process
        }
        // The new entry must be durable before files inside it are relied upon.
        if (parent != null) {
            syncDirectory(parent);
        }
    }

    static boolean isTemp(String fileName) {
        return fileName.contains(TEMP_MARK);
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        return posix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static FileAttribute<?>[] ownerOnlyDirectory(Path dir) {
        return posix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
