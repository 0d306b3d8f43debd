package dev.rotor.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write lock of one store directory, across threads and processes: an in-JVM
 * {@link ReentrantLock} shared by every store object open on the same directory, around an
 * exclusive {@link FileLock} on {@code store.lock}. The in-JVM lock is needed because a
 * {@code FileLock} is held per process: two threads of one JVM would not exclude each other,
 * and on POSIX closing any channel of the file would drop the lock. So the lock file is opened,
 * locked and closed only while the in-JVM lock is held.
 *
 * <p>The operating system releases the file lock when its process dies, so a crash never
 * leaves the store locked. Thread-safe.
 */
final class StoreLock {

    static final String FILE_NAME = "store.lock";

    /** One in-JVM lock per real directory path; never removed, there are few stores per JVM. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    @FunctionalInterface
    interface Action<T> {
        T run() throws IOException;
    }

    private final Path lockFile;
    private final ReentrantLock jvmLock;

    /** @param realDirectory the store directory as {@link Path#toRealPath} gives it */
    StoreLock(Path realDirectory) {
        this.lockFile = realDirectory.resolve(FILE_NAME);
        this.jvmLock = JVM_LOCKS.computeIfAbsent(realDirectory, d -> new ReentrantLock());
    }

    /** Runs {@code action} holding the lock; blocks until it is free. */
    <T> T locked(Action<T> action) throws IOException {
        jvmLock.lock();
        try (FileChannel ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE))) {
            FileLock fileLock = ch.lock();
            try {
                return action.run();
            } finally {
                fileLock.release();
            }
        } finally {
            jvmLock.unlock();
        }
    }
}
