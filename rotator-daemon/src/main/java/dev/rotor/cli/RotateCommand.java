package dev.rotor.cli;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.SecretRef;
import dev.rotor.daemon.RotationService;
import dev.rotor.kubernetes.KubernetesSecretSync;
import dev.rotor.kubernetes.KubernetesSyncTarget;
import dev.rotor.rotation.RotationInProgressException;
import dev.rotor.rotation.RotationRequest;
import dev.rotor.rotation.RotationResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rotor rotate REF | --due | --selector PREFIX}: rotations now, under the configured policies. */
@Command(name = "rotate",
        description = {
            "Rotates secrets now under their policies in rotor.yaml.",
            "  rotor rotate REF [--emergency --reason TEXT]   one secret; an emergency revokes the old credential at once",
            "  rotor rotate --due                             one pass over every policy (for a CronJob): resumes runs left by a",
            "                                                 dead process, retires what is past its grace period, rotates what is due",
            "  rotor rotate --selector secret://STORE/PREFIX [--tag K=V]...   every covered secret under the prefix",
            "Exits with 8 if any rotation failed, 4 if another run holds a secret.",
        })
final class RotateCommand extends Subcommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "REF", description = "The secret to rotate, e.g. secret://main/db/app.")
    @Nullable String ref;

    @Option(names = "--due", description = "Run everything due, once.")
    boolean due;

    @Option(names = "--selector", paramLabel = "PREFIX", description = "Rotate every secret under secret://STORE/PREFIX that a policy covers.")
    @Nullable String selector;

    @Option(names = "--tag", paramLabel = "K=V", description = "With --selector: only secrets whose CURRENT version has this tag.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--emergency", description = "Revoke the old credential right after the new one is promoted (needs --reason).")
    boolean emergency;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the audit log. Required with --emergency.")
    @Nullable String reason;

    @Override
    public Integer call() {
        int modes = (ref != null ? 1 : 0) + (due ? 1 : 0) + (selector != null ? 1 : 0);
        if (modes != 1) {
            throw CliFailure.badInput("give exactly one of REF, --due or --selector");
        }
        if (emergency && (reason == null || reason.isBlank())) {
            throw CliFailure.badInput("--emergency needs --reason TEXT (recorded in the audit log)");
        }
        if (due && (emergency || reason != null)) {
            throw CliFailure.badInput("--due runs scheduled rotations; --emergency and --reason go with REF or --selector");
        }
        if (!tags.isEmpty() && selector == null) {
            throw CliFailure.badInput("--tag goes with --selector");
        }
        return cli().withRuntime(new MetricRegistry(), runtime -> {
            RotationService service = runtime.service();
            String actor = runtime.rotor().actor();
            if (due) {
                int code = due(service);
                return runtime.kubernetesSync().isPresent() ? Math.max(code, syncPass(runtime.kubernetesSync().get())) : code;
            }
            RotationRequest request = new RotationRequest(emergency, reason, actor);
            if (ref != null) {
                SecretRef r = SecretRef.parse(ref);
                RotationResult result = service.rotate(r, request);
                print(out(), r, result);
                return result instanceof RotationResult.Succeeded ? ExitCodes.OK : ExitCodes.ROTATION_FAILED;
            }
            return selector(service, request);
        });
    }

    private int due(RotationService service) {
        int rotated = 0;
        int failed = 0;
        int busy = 0;
        int notDue = 0;
        for (RotationService.DueResult r : service.runDue()) {
            if (r.busyUntil() != null) {
                busy++;
                out().println("busy     " + r.target().ref().format() + ": another run holds it until " + Format.instant(r.busyUntil()));
            } else if (r.result() == null) {
                notDue++;
            } else {
                print(out(), r.target().ref(), r.result());
                if (r.failed()) {
                    failed++;
                } else if (r.rotated()) {
                    rotated++;
                }
            }
        }
        out().println("due pass: " + rotated + " rotated, " + failed + " failed, " + busy + " busy, " + notDue + " not due");
        out().flush();
        return failed > 0 ? ExitCodes.ROTATION_FAILED : busy > 0 ? ExitCodes.CONFLICT : ExitCodes.OK;
    }

    /**
     * After a due pass: waits for the syncs of this pass, then re-syncs every Secret that does not hold
     * CURRENT (a CronJob's repair of an earlier failed sync). A failed sync leaves the rotation done, and
     * the exit code as the rotations made it; the failures are printed, logged and alerted.
     */
    private int syncPass(KubernetesSecretSync sync) {
        try {
            if (!sync.awaitIdle(Duration.ofMinutes(2))) {
                env().err().println("kubernetes sync: still running after 2m; the next pass re-checks");
                return ExitCodes.OK;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        }
        for (SecretRef r : sync.resyncStale()) {
            out().println("synced   " + r.format() + " to " + sync.target(r).map(KubernetesSyncTarget::describe).orElse("?"));
        }
        sync.failures().forEach((r, f) -> env().err().println("sync failed " + r.format() + " version " + f.versionId() + ": " + f.error()));
        out().flush();
        return ExitCodes.OK;
    }

    private int selector(RotationService service, RotationRequest request) {
        SecretRef prefix = SecretRef.parse(selector.endsWith("/") ? selector + "x" : selector);
        String store = prefix.store();
        String pathPrefix = selector.endsWith("/") ? prefix.path().substring(0, prefix.path().length() - 1) : prefix.path();
        List<RotationService.Target> targets = new ArrayList<>();
        for (RotationService.Target t : service.targets()) {
            if (t.ref().store().equals(store) && t.path().startsWith(pathPrefix) && hasTags(service, t)) {
                targets.add(t);
            }
        }
        Progress progress = Progress.of(env().out(), targets.size(), System.console() != null && env().out() == System.out);
        int failed = 0;
        int busy = 0;
        for (RotationService.Target t : targets) {
            RotationResult result;
            try {
                result = service.rotate(t, request);
            } catch (RotationInProgressException e) {
                busy++;
                progress.step("busy     " + t.ref().format() + ": another run holds it until " + Format.instant(e.until()));
                continue;
            }
            if (!(result instanceof RotationResult.Succeeded)) {
                failed++;
            }
            progress.step(line(t.ref(), result));
        }
        progress.done(targets.size() + " secrets: " + (targets.size() - failed - busy) + " rotated, " + failed + " failed, " + busy + " busy");
        return failed > 0 ? ExitCodes.ROTATION_FAILED : busy > 0 ? ExitCodes.CONFLICT : ExitCodes.OK;
    }

    private boolean hasTags(RotationService service, RotationService.Target t) {
        if (tags.isEmpty()) {
            return true;
        }
        return service.currentTags(t).entrySet().containsAll(tags.entrySet());
    }

    static void print(PrintStream out, SecretRef ref, RotationResult result) {
        out.println(line(ref, result));
        out.flush();
    }

    static String line(SecretRef ref, RotationResult result) {
        return switch (result) {
            case RotationResult.Succeeded s -> "rotated  " + ref.format() + ": version " + s.currentVersionId() + " (run " + s.runId()
                    + (s.resumed() ? ", resumed" : "") + (s.previousRetired() ? ", old credential revoked" : "") + ")";
            case RotationResult.Failed f -> "failed   " + ref.format() + " at " + f.step() + (f.rolledBack() ? " (rolled back)" : "") + ": "
                    + ExitCodes.oneLine(f.message()) + " (run " + f.runId() + ")";
            case RotationResult.RolledBack r -> "undone   " + ref.format() + ": run " + r.runId() + " " + r.why();
            case RotationResult.Retired r -> "retired  " + ref.format() + ": version " + r.retiredVersionId();
            case RotationResult.NothingToDo n -> "nothing  " + ref.format() + ": " + n.why();
        };
    }

    /** A progress bar on a terminal, plain lines otherwise. */
    private static final class Progress {
        private final PrintStream out;
        private final int total;
        private final boolean tty;
        private int done;

        private Progress(PrintStream out, int total, boolean tty) {
            this.out = out;
            this.total = total;
            this.tty = tty;
        }

        static Progress of(PrintStream out, int total, boolean tty) {
            return new Progress(out, total, tty);
        }

        void step(String line) {
            done++;
            if (tty) {
                int width = 30;
                int filled = total == 0 ? width : done * width / total;
                out.print("\r\033[K" + line + "\n[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total);
            } else {
                out.println(line);
            }
            out.flush();
        }

        void done(String summary) {
            if (tty) {
                out.print("\r\033[K");
            }
            out.println(summary);
            out.flush();
        }
    }
}
