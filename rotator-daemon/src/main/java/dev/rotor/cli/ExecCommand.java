package dev.rotor.cli;

import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rotor exec --env NAME=REF... --file PATH=REF... -- CMD ARGS...}: resolves every ref in
 * one pass, then runs CMD with the values as environment variables and files.
 *
 * <p>If any ref fails, the error names every failure and CMD is never started: a command never
 * runs with part of its secrets. Files are created owner-only in a private directory that is
 * removed when CMD exits; SIGTERM and SIGINT are passed on to CMD; rotor exits with CMD's code.
 * The stores (and the audit log) are closed before CMD starts, so a long-running CMD does not
 * hold them.
 */
@Command(name = "exec",
        description = {
            "Resolves secret refs, then runs CMD with their values in environment variables (--env) and files (--file).",
            "Every ref is resolved in one pass before CMD starts; if any fails, the error names each failed ref and CMD"
                    + " is not started. Refs may be optional:secret://... (left out if missing) or end in |default:TEXT.",
            "Files are written mode 0600 in a private directory (mode 0700, named by $" + ExecCommand.FILES_DIR_VARIABLE
                    + " in CMD's environment) that is removed when CMD exits. SIGTERM and SIGINT are passed on to CMD,"
                    + " and rotor exits with CMD's exit code.",
        },
        footerHeading = "%n",
        footer = {
            "Example: rotor exec --env DB_PASSWORD=secret://main/db/app#password --file server.key=secret://main/tls/key"
                    + " -- sh -c 'exec ./server --key \"$" + ExecCommand.FILES_DIR_VARIABLE + "/server.key\"'",
            "Before CMD runs, rotor's exit codes apply (2 bad argument or ref, 3 a secret or field is missing,"
                    + " 5 unknown store or access denied, 1 a store failed, 126 CMD cannot be run, 127 CMD not found);"
                    + " after, CMD's own (128+N if a signal N ended it).",
        })
final class ExecCommand extends Subcommand {

    /** The variable naming the private directory of the {@code --file} files in CMD's environment. */
    static final String FILES_DIR_VARIABLE = "ROTOR_FILES_DIR";

    private static final Logger LOG = LoggerFactory.getLogger(ExecCommand.class);
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_SHOWN_NAME = 128;

    @Option(names = "--env", paramLabel = "NAME=REF",
            description = "Set variable NAME to the value of REF (repeatable), e.g. DB_PASSWORD=secret://main/db/app#password.")
    List<String> envs = new ArrayList<>();

    @Option(names = "--file", paramLabel = "PATH=REF",
            description = "Write the value of REF to the file PATH, relative to $" + FILES_DIR_VARIABLE + " (repeatable).")
    List<String> files = new ArrayList<>();

    @Parameters(paramLabel = "CMD", arity = "1..*",
            description = "The command and its arguments; put -- before it if it starts with '-'. Found on PATH like a shell does.")
    List<String> command = new ArrayList<>();

    /** One {@code --env} or {@code --file}: where the value goes and the ref text (with any optional: or |default:). */
    record Target(Kind kind, String name, String refText) {
        /** The location the resolver reports failures under. */
        String location() {
            return kind.option + " " + name;
        }
    }

    enum Kind {
        ENV("--env"), FILE("--file");

        final String option;

        Kind(String option) {
            this.option = option;
        }
    }

    @Override
    public Integer call() {
        List<Target> targets = parseTargets(envs, files);
        if (command.isEmpty()) {
            throw CliFailure.badInput("CMD is required: rotor exec [--env NAME=REF]... [--file PATH=REF]... -- CMD [ARGS]...");
        }
        try (ExecRun run = new ExecRun(env(), command)) {
            Resolution<Map<String, String>> resolution = resolve(cli(), targets);
            try {
                for (Target t : targets) {
                    switch (t.kind()) {
                        case ENV -> run.setVariable(t.name(), variableValue(resolution, t));
                        case FILE -> {
                            Optional<dev.rotor.SecretValue> value = resolution.value(t.location());
                            if (value.isPresent()) {
                                byte[] bytes = value.get().bytes();
                                try {
                                    run.writeFile(t.name(), bytes);
                                } finally {
                                    Arrays.fill(bytes, (byte) 0);
                                    value.get().destroy();
                                }
                            }
                        }
                    }
                }
                if (targets.stream().anyMatch(t -> t.kind() == Kind.FILE)) {
                    run.ensureFilesDirectory();
                }
            } finally {
                resolution.destroy();
            }
            return run.runToCompletion();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The text for an environment variable, or null for an absent optional ref. An environment
     * variable holds text without NUL: anything else belongs in a file. (The JDK would refuse a
     * NUL too, but with the value in its message.)
     */
    private static @Nullable String variableValue(Resolution<Map<String, String>> resolution, Target t) {
        char[] chars;
        try {
            chars = resolution.chars(t.location()).orElse(null);
        } catch (IllegalStateException e) {
            throw CliFailure.badInput(t.location() + ": the value is not UTF-8 text, which an environment variable needs;"
                    + " use --file for it");
        }
        if (chars == null) {
            return null;
        }
        try {
            for (char c : chars) {
                if (c == '\0') {
                    throw CliFailure.badInput(t.location() + ": the value holds a NUL character, which an environment variable"
                            + " cannot; use --file for it");
                }
            }
            return new String(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * Resolves every target in one pass through the configured stores of {@code cli}; the stores are
     * closed on return. {@code rotor render} resolves through it too.
     */
    static Resolution<Map<String, String>> resolve(RotorCli cli, List<Target> targets) {
        Map<String, String> refs = new LinkedHashMap<>();
        for (Target t : targets) {
            refs.put(t.location(), t.refText());
        }
        AtomicReference<@Nullable Resolution<Map<String, String>>> out = new AtomicReference<>();
        if (refs.isEmpty()) {
            return SecretResolver.of().resolveEnvironment(Map.of());
        }
        cli.withRotor(rotor -> {
            out.set(SecretResolver.of(rotor).resolveEnvironment(refs));
            return ExitCodes.OK;
        });
        Resolution<Map<String, String>> r = out.get();
        if (r == null) {
            throw new IllegalStateException("the refs were not resolved");
        }
        LOG.debug("exec: resolved {} refs", refs.size());
        return r;
    }

    /**
     * Checks every {@code --env} and {@code --file} argument and reports all bad ones at once.
     * The text after {@code =} is never shown unless it is a ref: it may be a value typed where
     * the ref belongs.
     */
    static List<Target> parseTargets(List<String> envArgs, List<String> fileArgs) {
        List<String> problems = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        Set<String> seenEnv = new LinkedHashSet<>();
        Set<String> seenFile = new LinkedHashSet<>();
        int i = 0;
        for (String arg : envArgs) {
            i++;
            parseOne(Kind.ENV, arg, i, problems, seenEnv).ifPresent(targets::add);
        }
        i = 0;
        for (String arg : fileArgs) {
            i++;
            parseOne(Kind.FILE, arg, i, problems, seenFile).ifPresent(targets::add);
        }
        if (!problems.isEmpty()) {
            throw CliFailure.badInput((problems.size() == 1 ? "bad argument: " : problems.size() + " bad arguments: ")
                    + String.join("; ", problems));
        }
        return targets;
    }

    private static Optional<Target> parseOne(Kind kind, String arg, int index, List<String> problems, Set<String> seen) {
        String what = kind == Kind.ENV ? "NAME=REF" : "PATH=REF";
        int eq = arg.indexOf('=');
        if (eq < 0) {
            String shown = kind == Kind.ENV && ENV_NAME.matcher(arg).matches() && arg.length() <= MAX_SHOWN_NAME
                    ? kind.option + " " + arg
                    : kind.option + " #" + index + " (not shown)";
            problems.add(shown + ": expected " + what + " with REF like secret://<store>/<path>, found no '='");
            return Optional.empty();
        }
        String name = arg.substring(0, eq);
        String ref = arg.substring(eq + 1);
        String nameProblem = kind == Kind.ENV ? envNameProblem(name) : filePathProblem(name);
        if (nameProblem != null) {
            problems.add(kind.option + " " + shownName(name, index, kind) + "=...: " + nameProblem);
            return Optional.empty();
        }
        if (!ref.startsWith("secret://") && !ref.startsWith("optional:secret://")) {
            problems.add(kind.option + " " + name + "=...: the value after '=' must be a secret ref like secret://<store>/<path>"
                    + " or optional:secret://... (what was given is not shown)");
            return Optional.empty();
        }
        if (!seen.add(name)) {
            problems.add(kind.option + " " + name + " is given twice");
            return Optional.empty();
        }
        return Optional.of(new Target(kind, name, ref));
    }

    private static String shownName(String name, int index, Kind kind) {
        boolean printable = !name.isEmpty() && name.length() <= MAX_SHOWN_NAME && name.chars().allMatch(c -> c >= 0x20 && c != 0x7f);
        return printable ? "'" + name + "'" : "#" + index + " (name not shown)";
    }

    private static @Nullable String envNameProblem(String name) {
        if (name.isEmpty()) {
            return "the variable name is empty";
        }
        if (!ENV_NAME.matcher(name).matches()) {
            return "a variable name is letters, digits and '_', not starting with a digit";
        }
        if (name.equals(FILES_DIR_VARIABLE)) {
            return FILES_DIR_VARIABLE + " is set by rotor exec itself";
        }
        return null;
    }

    private static @Nullable String filePathProblem(String path) {
        if (path.isEmpty()) {
            return "the file path is empty";
        }
        if (path.startsWith("/")) {
            return "the file path must be relative: files are written in a private directory ($" + FILES_DIR_VARIABLE + ")";
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return "the file path holds a NUL or a backslash";
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "the file path must not hold empty, '.' or '..' segments";
            }
        }
        return null;
    }

    /** Where the private directory goes: $XDG_RUNTIME_DIR (memory-backed, per user) if set, else the temp dir. */
    static Path filesBase(CliEnvironment env) {
        String runtime = env.env("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            Path p = Path.of(runtime);
            if (p.isAbsolute() && java.nio.file.Files.isDirectory(p) && java.nio.file.Files.isWritable(p)) {
                return p;
            }
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
