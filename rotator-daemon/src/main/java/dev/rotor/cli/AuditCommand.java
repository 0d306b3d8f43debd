package dev.rotor.cli;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.audit.AuditProblem;
import dev.rotor.audit.AuditVerification;
import dev.rotor.config.AuditConfig;
import dev.rotor.config.CheckpointKeys;
import dev.rotor.config.RotorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rotor audit ...}: commands on audit logs. */
@Command(name = "audit", description = "Audit log commands: verify.", subcommands = AuditCommand.Verify.class)
final class AuditCommand extends Subcommand {

    @Override
    public Integer call() {
        throw CliFailure.badInput("'rotor audit' needs a command: verify (see 'rotor audit --help')");
    }

    /** {@code rotor audit verify [FILE] [--checkpoint-key-env NAME]} */
    @Command(name = "verify",
            description = {
                "Checks a hash-chained audit log: every line's fields, the seq order, the hash chain, and the end of the log against its checkpoint.",
                "Prints 'ok: N lines', or each problem as FILE:LINE: message (line 0: the checkpoint file) and exits with 7.",
            })
    static final class Verify extends Subcommand {

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "The audit log (default: audit.file of the configuration, with its checkpointKeyEnv).")
        @Nullable Path file;

        @Option(names = "--checkpoint-key-env", paramLabel = "NAME",
                description = "The environment variable holding the checkpoint key (base64), to check the checkpoint's HMAC.")
        @Nullable String keyEnv;

        @Override
        public Integer call() {
            Path log;
            String keyVariable = keyEnv;
            String keyField = "--checkpoint-key-env";
            if (file != null) {
                log = env().resolve(file);
            } else {
                AuditConfig audit = RotorConfig.load(env().resolve(cli().config)).audit();
                if (audit == null || audit.file() == null) {
                    throw new InvalidConfigurationException("audit.file", "no audit file is configured; name the log: rotor audit verify FILE");
                }
                log = audit.file();
                if (keyVariable == null && audit.checkpointKeyEnv() != null) {
                    keyVariable = audit.checkpointKeyEnv();
                    keyField = "audit.checkpointKeyEnv";
                }
            }
            if (!Files.isRegularFile(log)) {
                throw CliFailure.badInput("audit log " + log + " does not exist or is not a file");
            }
            byte[] key = null;
            if (keyVariable != null) {
                List<ConfigProblem> problems = new ArrayList<>();
                key = CheckpointKeys.fromEnvironment(keyField, keyVariable, env().environment(), problems);
                InvalidConfigurationException.throwIfAny(problems);
            }
            AuditVerification result;
            try {
                result = AuditLogVerifier.verify(log, key);
            } finally {
                if (key != null) {
                    Arrays.fill(key, (byte) 0);
                }
            }
            String shown = file != null ? file.toString() : log.toString();
            if (result.ok()) {
                out().println("ok: " + result.linesChecked() + " line" + (result.linesChecked() == 1 ? "" : "s")
                        + " (" + describe(result.checkpoint()) + ")");
                return ExitCodes.OK;
            }
            for (AuditProblem p : result.problems()) {
                out().println(shown + ":" + p.line() + ": " + withoutLinePrefix(p));
            }
            if (result.unlistedProblems() > 0) {
                out().println(shown + ": ... and " + result.unlistedProblems() + " more problems");
            }
            long total = result.problems().size() + result.unlistedProblems();
            throw new CliFailure(ExitCodes.AUDIT_INVALID, "audit verification failed: " + total + " problem"
                    + (total == 1 ? "" : "s") + " in " + shown);
        }

        /** The verifier's messages start with "line N: "; FILE:LINE: already says that. */
        private static String withoutLinePrefix(AuditProblem p) {
            String prefix = "line " + p.line() + ": ";
            return p.message().startsWith(prefix) ? p.message().substring(prefix.length()) : p.message();
        }

        private static String describe(AuditVerification.CheckpointStatus status) {
            return switch (status) {
                case NONE -> "no checkpoint: a cut-off tail would not be detected";
                case UNSIGNED -> "checkpoint unsigned";
                case SIGNED_NOT_CHECKED -> "checkpoint signed, not checked: give --checkpoint-key-env";
                case VERIFIED -> "checkpoint signature verified";
                case INVALID -> "checkpoint invalid";
            };
        }
    }
}
