package dev.rotor.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells whether another process holds the lock of an audit log, i.e. has it open for writing.
 *
 * <p>Only safe where this JVM has no audit sink open on the file: on POSIX, closing the probe's
 * channel drops every lock this process holds on the file. The CLI opens one sink per run, and
 * probes only after that open failed.
 */
final class AuditLogLock {

    private AuditLogLock() {}

    static boolean heldByAnotherProcess(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException | OverlappingFileLockException e) {
            return false;
        }
    }
}
