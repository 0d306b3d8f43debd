package dev.rotor.audit;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM: exits 0 if another process holds the lock of the file given, 3 if this
 * process could take it. A lock held within one JVM cannot be seen that way from inside it.
 */
public final class LockProbe {

    private LockProbe() {}

    public static void main(String[] args) throws Exception {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                System.exit(0);
            }
            lock.release();
            System.exit(3);
        }
    }
}
