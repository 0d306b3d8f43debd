package dev.rotor.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One run of {@code rotor exec}'s child: the variables to set, the private directory of files,
 * the child process, the signals passed on to it, and the clean-up.
 *
 * <p>The private directory is created mode 0700 and each file mode 0600 at creation (the
 * permissions are given to the system call that creates it, so there is no moment when it is
 * readable by others). It is removed when the child exits, when rotor is ended by a signal the
 * JVM handles with its shutdown hooks, and on {@link #close()}. Only SIGKILL of rotor itself
 * leaves it behind.
 *
 * <p>Not thread-safe, except that the signal handlers and the shutdown hook may run on their
 * own threads at any time: they only read the child and the directory through volatile fields.
 */
final class ExecRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExecRun.class);
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    /** The signals passed on to the child. */
    private static final List<String> FORWARDED = List.of("TERM", "INT");

    private final CliEnvironment env;
    private final List<String> command;
    /** Variables to set (non-null) or remove (null) in the child's environment. */
    private final Map<String, @Nullable String> variables = new LinkedHashMap<>();
    private final Thread cleanupOnShutdown = new Thread(this::removeFiles, "rotor-exec-cleanup");
    private boolean hookAdded;
    private volatile @Nullable Path filesDir;
    private volatile @Nullable Process child;
    /** A forwarded signal that arrived before the child started: the child is then never started. */
    private volatile @Nullable Signal early;

    ExecRun(CliEnvironment env, List<String> command) {
        this.env = env;
        this.command = List.copyOf(command);
    }

    /** Sets {@code name} to {@code value} in the child's environment, or removes it if null (an absent optional ref). */
    void setVariable(String name, @Nullable String value) {
        variables.put(name, value);
    }

    /** Creates the private directory if needed; a run with {@code --file} always has one, even if every file was optional and absent. */
    Path ensureFilesDirectory() throws IOException {
        Path dir = filesDir;
        if (dir != null) {
            return dir;
        }
        Path base = ExecCommand.filesBase(env);
        if (!Files.getFileStore(base).supportsFileAttributeView("posix")) {
            throw new CliFailure(ExitCodes.FAILURE, "--file needs a file system with POSIX permissions; " + base + " has none");
        }
        Runtime.getRuntime().addShutdownHook(cleanupOnShutdown);
        hookAdded = true;
        dir = Files.createTempDirectory(base, "rotor-exec-", DIR_MODE);
        filesDir = dir;
        return dir;
    }

    /** Writes {@code bytes} to {@code relative} in the private directory, created mode 0600. */
    void writeFile(String relative, byte[] bytes) throws IOException {
        Path dir = ensureFilesDirectory();
        Path target = dir.resolve(relative).normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
            throw CliFailure.badInput("--file " + relative + ": the path leaves the private directory");
        }
        Path parent = target.getParent();
        if (parent != null && !parent.equals(dir)) {
            Files.createDirectories(parent, DIR_MODE);
        }
        try (SeekableByteChannel ch = Files.newByteChannel(target,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    /**
     * Starts the child with the inherited environment plus the variables, waits for it, and
     * returns its exit code (128+N if signal N ended it). Signals are passed on while it runs.
     */
    int runToCompletion() {
        List<Installed> handlers = installHandlers();
        try {
            Signal before = early;
            if (before != null) {
                LOG.debug("exec: SIG{} arrived before the command started; not starting it", before.getName());
                return 128 + before.getNumber();
            }
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO().directory(env.workingDirectory().toFile());
            Map<String, String> childEnv = pb.environment();
            variables.forEach((name, value) -> {
                if (value == null) {
                    childEnv.remove(name);
                } else {
                    childEnv.put(name, value);
                }
            });
            Path dir = filesDir;
            if (dir != null) {
                childEnv.put(ExecCommand.FILES_DIR_VARIABLE, dir.toString());
            } else {
                childEnv.remove(ExecCommand.FILES_DIR_VARIABLE);
            }
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw cannotStart(e);
            } finally {
                // The values now live in the child; drop rotor's references to them.
                variables.replaceAll((k, v) -> null);
                childEnv.clear();
            }
            child = p;
            Signal raced = early;
            if (raced != null) {
                send(p, raced);
            }
            LOG.debug("exec: started '{}' as pid {}", command.get(0), p.pid());
            return waitFor(p);
        } finally {
            handlers.forEach(Installed::restore);
        }
    }

    private static int waitFor(Process p) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    // rotor is being stopped from inside the JVM: stop the child and wait for it to go.
                    interrupted = true;
                    p.destroy();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private CliFailure cannotStart(IOException e) {
        LOG.debug("exec: starting '{}' failed: {}", command.get(0), e.toString());
        // Newer JDKs leave the errno out of the message, so look for the program the way the JDK does.
        boolean notFound = !exists(command.get(0));
        String what = notFound ? "not found" + (command.get(0).contains("/") ? "" : " on PATH")
                : "cannot be run (not executable, or not a program this system can start)";
        return new CliFailure(notFound ? ExitCodes.COMMAND_NOT_FOUND : ExitCodes.CANNOT_RUN, "command '" + command.get(0) + "' " + what);
    }

    /** Whether {@code program} names an existing file: a path if it holds '/', else a name on this process's PATH. */
    private boolean exists(String program) {
        if (program.contains("/")) {
            return Files.exists(env.workingDirectory().resolve(program));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.exists(Path.of(entry).resolve(program))) {
                return true;
            }
        }
        return false;
    }

    /** A handler replaced while the child runs, to put back afterwards. */
    private record Installed(Signal signal, SignalHandler previous) {
        void restore() {
            try {
                Signal.handle(signal, previous);
            } catch (IllegalArgumentException e) {
                LOG.debug("exec: could not restore the handler of SIG{}: {}", signal.getName(), e.getMessage());
            }
        }
    }

    private List<Installed> installHandlers() {
        List<Installed> installed = new ArrayList<>();
        for (String name : FORWARDED) {
            try {
                Signal signal = new Signal(name);
                installed.add(new Installed(signal, Signal.handle(signal, this::onSignal)));
            } catch (IllegalArgumentException e) {
                // e.g. the JVM runs with -Xrs, or the signal is reserved: the JVM's default stays
                LOG.debug("exec: SIG{} is not passed on: {}", name, e.getMessage());
            }
        }
        return installed;
    }

    private void onSignal(Signal signal) {
        Process p = child;
        if (p == null) {
            early = signal;
            return;
        }
        send(p, signal);
    }

    /** Sends {@code signal} to the child: Java has no call for that but SIGTERM, so SIGINT goes through kill(1). */
    private static void send(Process p, Signal signal) {
        if (!p.isAlive()) {
            return;
        }
        LOG.debug("exec: passing SIG{} on to pid {}", signal.getName(), p.pid());
        if (signal.getName().equals("TERM")) {
            p.destroy();
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal.getName(), Long.toString(p.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                kill.destroyForcibly();
                p.destroy();
            }
        } catch (IOException e) {
            p.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
        }
    }

    /** Removes the private directory and everything in it, the child's own files included. */
    private void removeFiles() {
        Path dir = filesDir;
        if (dir == null) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, @Nullable IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
            filesDir = null;
        } catch (NoSuchFileException e) {
            filesDir = null;
        } catch (IOException e) {
            env.err().println("rotor: could not remove the private directory " + dir + ": " + ExitCodes.message(e));
        }
    }

    @Override
    public void close() {
        removeFiles();
        if (hookAdded) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupOnShutdown);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (or ran) anyway
            }
            hookAdded = false;
        }
    }
}
