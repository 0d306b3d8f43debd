package dev.rotor.cli;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.AuditUnavailableException;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.Rotor;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.postgres.PostgresAuditConfig;
import dev.rotor.audit.postgres.PostgresAuditSink;
import dev.rotor.config.RotorConfig;
import dev.rotor.daemon.DaemonConfig;
import dev.rotor.daemon.DaemonRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The {@code rotor} command. {@link #main} runs it against the process's streams; tests build
 * one over a {@link CliEnvironment} and call {@link #run}.
 *
 * <p>Not thread-safe: one instance runs one command line.
 */
@Command(
        name = "rotor",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = RotorCli.Version.class,
        description = "Reads, writes and promotes secrets in the stores configured in rotor.yaml, runs commands with secrets"
                + " resolved into their environment, and verifies audit logs.",
        subcommands = {
            PutCommand.class,
            GetCommand.class,
            VersionsCommand.class,
            PromoteCommand.class,
            ListCommand.class,
            AuditCommand.class,
            KeygenCommand.class,
            PolicyCommand.class,
            RotateCommand.class,
            StatusCommand.class,
            DaemonCommand.class,
            ExecCommand.class,
            RenderCommand.class,
            CommandLine.HelpCommand.class,
        },
        footerHeading = "%n",
        footer = "Refs look like secret://<store>/<path>[#<field>][?stage=current|pending|previous|version=<id>]."
                + " Values are read from stdin or a file, never from arguments.")
public final class RotorCli implements Callable<Integer> {

    /** How long a command waits for an audit log another process has open. */
    static final Duration AUDIT_LOG_WAIT = Duration.ofSeconds(10);
    private static final Duration AUDIT_LOG_POLL = Duration.ofMillis(100);

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "rotor.yaml", scope = ScopeType.INHERIT,
            description = "The configuration file (default: ${DEFAULT-VALUE} in the working directory).")
    Path config = Path.of("rotor.yaml");

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean verbose;

    private final CliEnvironment env;

    public RotorCli(CliEnvironment env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    public static void main(String[] args) {
        System.exit(new RotorCli(CliEnvironment.system()).run(args));
    }

    /** Runs one command line and returns its exit code; see {@link ExitCodes}. */
    public int run(String... args) {
        CommandLine cl = new CommandLine(this);
        PrintWriter out = new PrintWriter(new OutputStreamWriter(env.out(), env.out().charset()), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(env.err(), env.err().charset()), true);
        cl.setOut(out);
        cl.setErr(err);
        Map<String, String> exitCodes = new LinkedHashMap<>();
        for (String line : ExitCodes.HELP) {
            int colon = line.indexOf(':');
            exitCodes.put(line.substring(0, colon), line.substring(colon + 1));
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(exitCodes);
        // '@file' arguments stay as they are: 'rotor exec -- curl -d @body.json' must reach curl unchanged.
        cl.setExpandAtFiles(false);
        // 'rotor exec [options] CMD ARGS': everything from CMD on belongs to CMD, even without '--'.
        cl.getSubcommands().get("exec").setStopAtPositional(true);
        cl.setParameterExceptionHandler(this::onParameterException);
        cl.setExecutionExceptionHandler(this::onExecutionException);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
            env.out().flush();
        }
    }

    /** Without a subcommand: say that one is needed. */
    @Override
    public Integer call() {
        throw CliFailure.badInput("a command is required: put, get, versions, promote, list, audit, keygen, policy, rotate, status, daemon or exec (see 'rotor --help')");
    }

    CliEnvironment env() {
        return env;
    }

    /** Something to do with an open {@link Rotor}; returns the exit code. */
    @FunctionalInterface
    interface RotorCall {
        int run(Rotor rotor) throws IOException;
    }

    /**
     * Loads the configuration, opens the stores, runs {@code call} as the configured actor
     * with one request id for the whole command, and closes everything.
     */
    int withRotor(RotorCall call) {
        RotorConfig cfg = RotorConfig.load(env.resolve(config));
        // audit.postgres: these commands write there too (audit fails closed: no sink, no access).
        PostgresAuditSink postgres = openPostgresAudit(cfg);
        try (Rotor rotor = openWaitingForTheAuditLog(cfg, postgres)) {
            return AuditContext.callAs(rotor.actor(), AuditContext.newRequestId(), () -> {
                try {
                    return call.run(rotor);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private @Nullable PostgresAuditSink openPostgresAudit(RotorConfig cfg) {
        if (cfg.audit() == null || cfg.audit().postgres() == null) {
            return null;
        }
        List<ConfigProblem> problems = new ArrayList<>();
        PostgresAuditConfig pc = PostgresAuditConfig.bind(cfg.audit().postgres(),
                "audit.postgres", problems);
        InvalidConfigurationException.throwIfAny(problems);
        return Objects.requireNonNull(pc).open(env.environment(), env.clock());
    }

    /** Something to do with an open {@link DaemonRuntime}; returns the exit code. */
    @FunctionalInterface
    interface RuntimeCall {
        int run(DaemonRuntime runtime) throws IOException;
    }

    /**
     * Loads the configuration with its policies, opens the audit sink, the stores and the rotation
     * service, runs {@code call} as the configured actor, and closes everything.
     */
    int withRuntime(MetricRegistry metrics, RuntimeCall call) {
        DaemonConfig cfg = DaemonConfig.load(env.resolve(config), env.rotators());
        long deadline = System.nanoTime() + AUDIT_LOG_WAIT.toNanos();
        DaemonRuntime runtime;
        while (true) {
            try {
                runtime = DaemonRuntime.open(cfg, env.providers(), env.rotators(), env.clock(), env.environment(), env.err(), metrics, null);
                break;
            } catch (AuditUnavailableException e) {
                Path log = cfg.rotor().audit() == null ? null : cfg.rotor().audit().file();
                if (log == null || System.nanoTime() - deadline > 0 || !AuditLogLock.heldByAnotherProcess(log)) {
                    throw e;
                }
                try {
                    Thread.sleep(AUDIT_LOG_POLL);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        try (DaemonRuntime r = runtime) {
            return AuditContext.callAs(r.rotor().actor(), AuditContext.newRequestId(), () -> {
                try {
                    return call.run(r);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /**
     * Opens the stores. An audit log is written by one process at a time; when another
     * process has it open, wait a little for it to finish instead of failing at once.
     */
    private Rotor openWaitingForTheAuditLog(RotorConfig cfg, @Nullable PostgresAuditSink postgres) {
        long deadline = System.nanoTime() + AUDIT_LOG_WAIT.toNanos();
        while (true) {
            try {
                // audit.stdout events go to stderr: stdout carries command output and revealed values.
                Rotor.Builder b = Rotor.builder(cfg, env.providers()).clock(env.clock()).environment(env.environment())
                        .auditStream(env.err());
                if (postgres != null) {
                    b.addAuditSink(postgres);
                }
                return b.build();
            } catch (AuditUnavailableException e) {
                Path log = cfg.audit() == null ? null : cfg.audit().file();
                if (log == null || System.nanoTime() - deadline > 0 || !AuditLogLock.heldByAnotherProcess(log)) {
                    throw e;
                }
                try {
                    Thread.sleep(AUDIT_LOG_POLL);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private int onExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
        env.err().println("rotor: " + ExitCodes.message(ex));
        if (verbose) {
            ex.printStackTrace(env.err());
        }
        env.err().flush();
        return ExitCodes.of(ex);
    }

    private int onParameterException(ParameterException ex, String[] args) {
        String command = ex.getCommandLine().getCommandSpec().qualifiedName();
        String message = ex instanceof UnmatchedArgumentException u ? describeUnmatched(u, command) : ex.getMessage();
        env.err().println("rotor: " + ExitCodes.oneLine(message) + " (see '" + command + " --help')");
        if (verbose) {
            ex.printStackTrace(env.err());
        }
        env.err().flush();
        return ExitCodes.USAGE;
    }

    /**
     * Picocli quotes unmatched arguments; a value typed on the command line by mistake must not
     * be echoed to a terminal or a CI log, so only option names are shown.
     */
    private static String describeUnmatched(UnmatchedArgumentException u, String command) {
        List<String> options = new ArrayList<>();
        int others = 0;
        for (String arg : u.getUnmatched()) {
            if (arg.startsWith("-") && arg.length() > 1) {
                int eq = arg.indexOf('=');
                options.add("'" + (eq < 0 ? arg : arg.substring(0, eq)) + "'");
            } else {
                others++;
            }
        }
        List<String> parts = new ArrayList<>();
        if (!options.isEmpty()) {
            parts.add("unknown option" + (options.size() > 1 ? "s " : " ") + String.join(", ", options));
        }
        if (others > 0) {
            parts.add(others + " unexpected argument" + (others > 1 ? "s" : "") + " (not shown"
                    + (command.endsWith(" put") ? "; a value is read from stdin or --file, never from an argument)" : ")"));
        }
        return String.join("; ", parts);
    }

    /** The version from the build, for {@code --version}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = RotorCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"rotor " + p.getProperty("version", "(unknown version)")};
        }
    }
}
