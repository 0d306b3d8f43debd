package dev.rotor.cli;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.audit.AuditFileProblem;
import dev.rotor.audit.AuditLogVerification;
import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
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
                "Files rolled over before FILE (FILE.<seq>, FILE.<seq>.gz) are checked first, oldest first, as one chain; where retention deleted"
                        + " the oldest files, the chain starts from the anchor (FILE.anchor).",
                "Prints 'ok: N lines ...', or each problem as FILE:LINE: message (line 0: the checkpoint or the anchor as a whole) and exits with 7.",
            })
    static final class Verify extends Subcommand {

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "The audit log (default: audit.file of the configuration, with its checkpointKeyEnv).")
        @Nullable Path file;

        @Option(names = "--checkpoint-key-env", paramLabel = "NAME",
                description = "The environment variable holding the checkpoint key (base64), to check the HMAC of the checkpoint and the anchor.")
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
            AuditLogVerification result;
            try {
                result = AuditLogVerifier.verifyLog(log, key);
            } finally {
                if (key != null) {
                    Arrays.fill(key, (byte) 0);
                }
            }
            String shown = file != null ? file.toString() : log.toString();
            if (result.ok()) {
                String lines = result.linesChecked() + " line" + (result.linesChecked() == 1 ? "" : "s");
                if (result.files().size() == 1 && result.anchor() == CheckpointStatus.NONE) {
                    out().println("ok: " + lines + " (" + describe(result.checkpoint()) + ")");
                } else {
                    out().println("ok: " + lines + " in " + result.files().size() + " files, seq " + result.firstSeq() + " to "
                            + result.lastSeq() + " (" + describe(result.checkpoint()) + "; " + describeAnchor(result.anchor()) + ")");
                }
                return ExitCodes.OK;
            }
            Path shownParent = Path.of(shown).getParent();
            for (AuditFileProblem p : result.problems()) {
                String where = p.file().equals(log.toAbsolutePath()) ? shown
                        : shownParent == null ? p.file().getFileName().toString() : shownParent.resolve(p.file().getFileName()).toString();
                out().println(where + ":" + p.line() + ": " + withoutLinePrefix(p.line(), p.message()));
            }
            if (result.unlistedProblems() > 0) {
                out().println(shown + ": ... and " + result.unlistedProblems() + " more problems");
            }
            long total = result.problems().size() + result.unlistedProblems();
            throw new CliFailure(ExitCodes.AUDIT_INVALID, "audit verification failed: " + total + " problem"
                    + (total == 1 ? "" : "s") + " in " + shown);
        }

        /** The verifier's messages start with "line N: "; FILE:LINE: already says that. */
        private static String withoutLinePrefix(long line, String message) {
            String prefix = "line " + line + ": ";
            return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        }

        private static String describeAnchor(CheckpointStatus status) {
            return switch (status) {
                case NONE -> "no files deleted";
                case UNSIGNED -> "anchor of deleted files unsigned";
                case SIGNED_NOT_CHECKED -> "anchor of deleted files signed, not checked: give --checkpoint-key-env";
                case VERIFIED -> "anchor of deleted files verified";
                case INVALID -> "anchor of deleted files invalid";
            };
        }

        private static String describe(CheckpointStatus status) {
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
