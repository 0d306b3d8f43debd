package dev.rotor.rotation;

import dev.rotor.ConfigProblem;
import dev.rotor.ConflictException;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.audit.AuditAction;
import dev.rotor.audit.AuditContext;
import dev.rotor.audit.AuditEvent;
import dev.rotor.audit.AuditOutcome;
import dev.rotor.audit.AuditSink;
import dev.rotor.internal.rotation.Lease;
import dev.rotor.internal.rotation.LeaseLostException;
import dev.rotor.internal.rotation.LeaseRecord;
import dev.rotor.internal.rotation.Leases;
import dev.rotor.store.DecoratedSecretStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rotation protocol (PREPARE, CREATE, APPLY, VERIFY, PROMOTE, NOTIFY, RETIRE) for any
 * {@link Rotator}, persisting each run in the store so that any process can resume it.
 *
 * <h2>What is persisted, and when</h2>
 * <ul>
 *   <li>PREPARE takes the secret's lease (a record at {@code <leasePrefix><path>}, see
 *       {@link RotationOptions}); a second run gets {@link RotationInProgressException}.
 *   <li>CREATE stores the new credential as PENDING, tagged with the run's {@link RunState} at
 *       {@link Step#CREATE}, <em>before</em> anything touches the target.
 *   <li>Before calling {@link Rotator#apply} the engine writes the same value as PENDING again,
 *       tagged at {@link Step#APPLY}. From then on the target may hold the new credential.
 *   <li>PROMOTE is one compare-and-set: PENDING becomes CURRENT, the old CURRENT PREVIOUS.
 *   <li>RETIRE revokes PREVIOUS on the target, then removes the PREVIOUS stage.
 * </ul>
 *
 * <h2>Recovery rule</h2>
 * A run whose process died leaves its lease to expire. The next run on the secret
 * ({@link #rotate}, {@link #resume} or {@link #retireDue}) takes the lease over and looks at the
 * store: a PENDING version at CREATE was never applied and is discarded (roll back); a PENDING
 * version at APPLY may be on the target, so the run rolls forward: apply again (every step is
 * idempotent), verify, promote, notify (rolling back the target if that fails); a CURRENT
 * written by the dead run means it had promoted: NOTIFY is sent again (at least once) and an
 * emergency's RETIRE done. So at every instant CURRENT in the store works against the target,
 * except between APPLY and PROMOTE of a single-user strategy, where clients fall back to PENDING.
 *
 * <h2>Failures</h2>
 * A failed APPLY, VERIFY or PROMOTE calls {@link Rotator#rollback} and removes PENDING; CURRENT
 * is untouched. If the rollback itself fails, PENDING stays at APPLY and the next run rolls
 * forward. Every outcome is a {@link RotationResult}; only a held lease throws
 * ({@link RotationInProgressException}).
 *
 * <h2>Events and audit</h2>
 * Every {@link RotationEvent} is appended to the audit sink (if one is configured) with the run
 * id as request id, then given to the listeners. If the {@code Started} record cannot be written
 * the run stops before changing anything (fail closed); a later audit failure is logged and the
 * run goes on, since stopping half-way would leave more to repair than it protects.
 *
 * <p>Give the engine a store without a cache layer, or a {@link DecoratedSecretStore} (the engine
 * reads by version id, which a cache cannot get wrong, and invalidates the path at NOTIFY).
 *
 * <p>Thread-safe: any number of threads may rotate different secrets at once; rotations of one
 * secret exclude each other through the lease, within and across processes. No lock is held
 * while calling the store or a rotator. An {@link Error} thrown by a rotator or a listener is not
 * caught: it stops the run like a crash, leaving the lease to expire and the work to be resumed.
 */
public final class RotationEngine {

    private static final Logger LOG = LoggerFactory.getLogger(RotationEngine.class);

    private final SecretStore store;
    private final Clock clock;
    private final @Nullable AuditSink audit;
    private final List<RotationListener> listeners;
    private final RotationOptions options;
    private final Leases leases;

    private RotationEngine(Builder b) {
        this.store = b.store;
        this.clock = Objects.requireNonNull(b.clock);
        this.audit = b.auditSink;
        this.listeners = List.copyOf(b.listeners);
        this.options = Objects.requireNonNull(b.options);
        this.leases = new Leases(store, clock, options.leaseDuration(), options.leasePrefix(), Objects.requireNonNull(b.holder));
    }

    public static Builder builder(SecretStore store) {
        return new Builder(store);
    }

    /** The name this engine holds leases under. */
    public String holder() {
        return leases.holder();
    }

    public RotationOptions options() {
        return options;
    }

    /** The run recorded on the secret's PENDING version, if a run is under way or was left by a dead process. */
    public Optional<RunState> pendingRun(String path) {
        VersionInfo pending = readState(path).pending();
        return pending == null ? Optional.empty() : RunState.of(pending);
    }

    // ---- rotate ------------------------------------------------------------------------------

    /**
     * Rotates the secret at {@code path}: finishes or undoes first any run a dead process left,
     * then runs every step. An emergency request retires the old credential right after PROMOTE.
     *
     * @throws RotationInProgressException if another run holds the secret's lease
     */
    public RotationResult rotate(String path, Rotator rotator, RotationRequest request) {
        SecretRef.checkPath(path);
        Objects.requireNonNull(rotator, "rotator");
        Objects.requireNonNull(request, "request");
        String runId = AuditContext.newRequestId();
        return AuditContext.callAs(request.actor(), runId, () -> {
            Run run = new Run(runId, path, rotator, request.emergency(), request.reason(), request.actor(), null);
            if (!takeLease(run, Step.PREPARE.name())) {
                return run.failure;
            }
            RotationResult result;
            try {
                State state = readState(path);
                RotationResult leftover = recoverDeadRun(run, state);
                if (leftover instanceof RotationResult.Failed f) {
                    result = f.cause() instanceof LeaseLostException
                            ? f
                            : failEarly(run, Step.PREPARE, new RotationException(Step.PREPARE,
                                    "run " + f.runId() + " left by a dead process could not be finished: " + f.message(), f.cause()));
                } else {
                    if (leftover != null) {
                        state = readState(path);
                        run.lease = leases.renew(run.lease, runId, Step.PREPARE.name());
                    }
                    result = execute(run, state);
                }
            } catch (RotationInProgressException e) {
                leases.release(run.lease, "ABANDONED");
                throw e;
            } catch (LeaseLostException e) {
                result = lost(run, Step.PREPARE, e);
            } catch (RuntimeException e) {
                result = failEarly(run, Step.PREPARE, e);
            }
            releaseUnlessLost(run, result);
            return result;
        });
    }

    /** PREPARE and CREATE of a new run, then the rest. */
    private RotationResult execute(Run run, State state) {
        Step step = Step.PREPARE;
        try {
            run.previousId = state.currentId();
            emit(run, new RotationEvent.Started(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, run.previousId, run.emergency, run.reason, run.actor, null), null, true);
            if (state.pending() != null) {
                throw new RotationException(Step.PREPARE, "secret " + run.ref() + " has a PENDING version '" + state.pending().id()
                        + "' that no rotation run can account for; promote it or remove its PENDING stage first");
            }
            run.current = state.current() == null ? null : read(run.path, state.current().id());
            run.rotator.preflight(run.context(), run.current);
            if (state.previous() != null && run.current != null) {
                run.lease = leases.fence(run.lease, Step.RETIRE.name());
                retire(run, read(run.path, state.previous().id()), run.current, "superseded by run " + run.runId);
            }
            completed(run, Step.PREPARE);

            step = Step.CREATE;
            SecretValue value = run.rotator.create(run.context(), run.current);
            RunState rs = new RunState(run.runId, Step.CREATE, run.type, run.startedAt, run.emergency, null);
            VersionInfo v = store.put(run.path, value, PutOptions.pending().withTags(rs.tags()).withIdempotencyKey(run.runId));
            run.pending = new Secret(run.path, v, value);
            completed(run, Step.CREATE);
        } catch (LeaseLostException e) {
            return lost(run, step, e);
        } catch (RuntimeException e) {
            return failEarly(run, step, e);
        }
        return forward(run);
    }

    /** A failure before anything reached the target: remove our PENDING, if CREATE stored one. */
    private RotationResult failEarly(Run run, Step step, RuntimeException e) {
        boolean clean = step != Step.CREATE || discardOwnPending(run) != null;
        return failed(run, step, e, clean);
    }

    /**
     * Removes whatever PENDING version this run wrote, found by its run tag (a write whose answer
     * was lost may have landed). Returns the id removed, "" if there was none, null if it could
     * not tell or not remove.
     */
    private @Nullable String discardOwnPending(Run run) {
        try {
            VersionInfo pending = readState(run.path).pending();
            Optional<RunState> rs = pending == null ? Optional.empty() : RunState.of(pending);
            if (pending == null || rs.isEmpty() || !rs.get().runId().equals(run.runId)) {
                return "";
            }
            return discard(run, pending.id()) ? pending.id() : null;
        } catch (RuntimeException again) {
            LOG.warn("rotation {} of {}: could not check for its PENDING version: {}", run.runId, run.ref(), describe(again));
            return null;
        }
    }

    /** APPLY, VERIFY, PROMOTE (with rollback on failure), then NOTIFY and RETIRE. */
    private RotationResult forward(Run run) {
        Step step = Step.APPLY;
        Secret pending = Objects.requireNonNull(run.pending);
        try {
            run.lease = leases.fence(run.lease, Step.APPLY.name());
            Optional<RunState> rs = RunState.of(pending.version());
            if (rs.isEmpty() || rs.get().step() != Step.APPLY) {
                RunState atApply = new RunState(run.runId, Step.APPLY, run.type, run.startedAt, run.emergency, null);
                VersionInfo marker = store.put(run.path, pending.value(),
                        PutOptions.pending().withTags(atApply.tags()).withIdempotencyKey(run.runId + "-apply"));
                pending = new Secret(run.path, marker, pending.value());
                run.pending = pending;
            }
            run.applyStarted = true;
            run.rotator.apply(run.context(), run.current, pending);
            completed(run, Step.APPLY);

            step = Step.VERIFY;
            run.rotator.verify(run.context(), pending);
            completed(run, Step.VERIFY);

            step = Step.PROMOTE;
            run.lease = leases.fence(run.lease, Step.PROMOTE.name());
            promote(run);
            completed(run, Step.PROMOTE);
        } catch (LeaseLostException e) {
            return lost(run, step, e);
        } catch (RuntimeException e) {
            return failForward(run, step, e);
        }
        return finish(run);
    }

    private void promote(Run run) {
        String pendingId = Objects.requireNonNull(run.pending).version().id();
        try {
            store.promote(run.path, pendingId, run.previousId);
        } catch (ConflictException e) {
            if (!pendingId.equals(readState(run.path).currentId())) {
                throw e;
            }
            // An earlier attempt of this run promoted it already.
        }
    }

    /** A failure at APPLY, VERIFY or PROMOTE: roll the target back and remove PENDING where that is right. */
    private RotationResult failForward(Run run, Step step, RuntimeException e) {
        Secret pending = Objects.requireNonNull(run.pending);
        String pendingId = pending.version().id();
        if (step == Step.PROMOTE && !(e instanceof ConflictException)) {
            // The store failed to answer: the promotion may have landed.
            try {
                if (pendingId.equals(readState(run.path).currentId())) {
                    LOG.info("rotation {} of {}: PROMOTE reported {} but did land", run.runId, run.ref(), describe(e));
                    emitQuietly(run, new RotationEvent.StepCompleted(run.runId, store.name(), run.path, clock.instant(), run.type,
                            run.previousId, pendingId, Step.PROMOTE, pendingId), null);
                    return finish(run);
                }
            } catch (RuntimeException again) {
                LOG.warn("rotation {} of {}: cannot tell whether PROMOTE landed: {}", run.runId, run.ref(), describe(again));
            }
            LOG.warn("rotation {} of {}: PROMOTE failed ({}); PENDING '{}' is kept at APPLY and the next run rolls forward",
                    run.runId, run.ref(), describe(e), pendingId);
            return failed(run, step, e, false);
        }
        if (run.applyStarted) {
            try {
                run.lease = leases.fence(run.lease, "ROLLBACK");
                run.rotator.rollback(run.context(), run.current, pending);
            } catch (LeaseLostException lostMeanwhile) {
                return lost(run, step, lostMeanwhile);
            } catch (RuntimeException rollbackFailure) {
                LOG.error("rotation {} of {}: {} failed ({}) and so did the rollback ({}); PENDING '{}' is kept at APPLY and "
                        + "the next run rolls forward", run.runId, run.ref(), step, describe(e), describe(rollbackFailure), pendingId);
                return failed(run, step, e, false);
            }
        }
        // Before APPLY began, the APPLY copy may or may not have been written: look for the run's PENDING.
        boolean discarded = run.applyStarted ? discard(run, pendingId) : discardOwnPending(run) != null;
        if (discarded) {
            emitQuietly(run, new RotationEvent.RolledBack(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, run.previousId, step, pendingId,
                    (run.applyStarted ? "target rolled back after " : "target untouched; ") + step + " failed: " + describe(e)), null);
        }
        return failed(run, step, e, discarded);
    }

    /** NOTIFY and, in an emergency, RETIRE; nothing here can undo the promotion. */
    private RotationResult finish(Run run) {
        Secret promoted = Objects.requireNonNull(run.pending);
        String currentId = promoted.version().id();
        Step step = Step.NOTIFY;
        boolean retired = false;
        try {
            if (store instanceof DecoratedSecretStore decorated) {
                decorated.invalidate(run.path);
            }
            emitQuietly(run, new RotationEvent.Succeeded(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, currentId, run.emergency, run.resumedAt != null), null);
            completed(run, Step.NOTIFY);
            if (run.emergency) {
                step = Step.RETIRE;
                if (run.current != null) {
                    run.lease = leases.fence(run.lease, Step.RETIRE.name());
                    retire(run, run.current, promoted, "emergency: " + (run.reason == null ? "no reason recorded" : run.reason));
                    retired = true;
                }
                completed(run, Step.RETIRE);
            }
        } catch (LeaseLostException e) {
            return lost(run, step, e);
        } catch (RuntimeException e) {
            LOG.error("rotation {} of {}: version '{}' is CURRENT but the emergency RETIRE of '{}' failed ({}); retireDue retries it",
                    run.runId, run.ref(), currentId, run.previousId, describe(e));
            return failed(run, step, e, false);
        }
        LOG.info("rotation {} of {} succeeded: CURRENT is now version '{}' (was '{}'){}", run.runId, run.ref(), currentId,
                run.previousId, retired ? ", previous retired at once" : "");
        return new RotationResult.Succeeded(run.runId, run.path, run.previousId, currentId, run.emergency, run.resumedAt != null,
                retired, Duration.between(run.startedAt, clock.instant()));
    }

    // ---- resume ------------------------------------------------------------------------------

    /**
     * Finishes or undoes a run that a dead process left on the secret (see the recovery rule in
     * the class comment). Waits for nothing: a lease still held gives
     * {@link RotationInProgressException}.
     *
     * @return {@link RotationResult.Succeeded} (rolled forward), {@link RotationResult.RolledBack},
     *     {@link RotationResult.Failed}, or {@link RotationResult.NothingToDo} if no run was left
     */
    public RotationResult resume(String path, Rotator rotator) {
        SecretRef.checkPath(path);
        Objects.requireNonNull(rotator, "rotator");
        String carrierId = AuditContext.newRequestId();
        return AuditContext.callAs(RotationRequest.DEFAULT_ACTOR, carrierId, () -> {
            Run host = new Run(carrierId, path, rotator, false, "resume", RotationRequest.DEFAULT_ACTOR, null);
            if (!takeLease(host, "RESUME")) {
                return host.failure;
            }
            RotationResult result;
            try {
                result = recoverDeadRun(host, readState(path));
            } catch (RotationInProgressException e) {
                leases.release(host.lease, "ABANDONED");
                throw e;
            } catch (RuntimeException e) {
                result = failed(host, Step.PREPARE, e, true);
            }
            if (result == null) {
                result = new RotationResult.NothingToDo(path, "no rotation run to resume");
            }
            releaseUnlessLost(host, result);
            return result;
        });
    }

    /**
     * Finishes a dead run's work if there is any, as the holder of {@code host}'s lease.
     *
     * @return null if there was nothing to recover
     * @throws RotationInProgressException if a PENDING version was written moments ago by a run
     *     whose lease this one did not take over (it may still be alive)
     */
    private @Nullable RotationResult recoverDeadRun(Run host, State state) {
        LeaseRecord prior = host.lease.prior();
        VersionInfo pending = state.pending();
        if (pending != null) {
            Optional<RunState> found = RunState.of(pending);
            if (found.isEmpty()) {
                return null; // not a run's PENDING: the caller decides what to do with it
            }
            RunState rs = found.get();
            boolean tookItsLease = prior != null && rs.runId().equals(prior.runId());
            Instant quietUntil = pending.created().plus(leases.duration());
            if (!tookItsLease && quietUntil.isAfter(clock.instant())) {
                throw new RotationInProgressException(host.ref(), "run " + rs.runId(), quietUntil, rs.runId());
            }
            String actor = tookItsLease && prior.actor() != null ? prior.actor() : host.actor;
            Run run = new Run(rs.runId(), host.path, host.rotator, rs.emergency(), tookItsLease ? prior.reason() : null, actor, rs.step());
            run.startedAt = rs.started();
            run.lease = host.lease;
            RotationResult r = AuditContext.callAs(actor, rs.runId(), () -> resumePending(run, state, pending, rs));
            host.lease = run.lease;
            return r;
        }
        String deadRun = host.lease.deadRunId();
        if (deadRun == null || prior == null) {
            return null;
        }
        String actor = prior.actor() != null ? prior.actor() : host.actor;
        RunState onCurrent = state.current() == null ? null : RunState.of(state.current()).orElse(null);
        boolean promoted = onCurrent != null && onCurrent.runId().equals(deadRun);
        Run run = new Run(deadRun, host.path, host.rotator, prior.emergency(), prior.reason(), actor, promoted ? Step.NOTIFY : Step.PREPARE);
        run.lease = host.lease;
        RotationResult r = AuditContext.callAs(actor, deadRun, () -> promoted ? resumePromoted(run, state) : endStopped(run, state, prior));
        host.lease = run.lease;
        return r;
    }

    private RotationResult resumePending(Run run, State state, VersionInfo pending, RunState rs) {
        try {
            run.lease = leases.renew(run.lease, run.runId, "RESUME " + rs.step());
            run.previousId = state.currentId();
            emit(run, new RotationEvent.Started(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, run.previousId, run.emergency, run.reason, run.actor, rs.step()), null, true);
            if (!rs.rotatorType().equals(run.type)) {
                throw new RotationException(Step.PREPARE, "PENDING version '" + pending.id() + "' of run " + run.runId
                        + " was made by rotator type '" + rs.rotatorType() + "', not '" + run.type + "'");
            }
            LOG.info("resuming rotation {} of {} at {} (PENDING version '{}')", run.runId, run.ref(), rs.step(), pending.id());
            run.current = state.current() == null ? null : read(run.path, state.current().id());
            run.pending = read(run.path, pending.id());
        } catch (LeaseLostException e) {
            return lost(run, Step.PREPARE, e);
        } catch (RuntimeException e) {
            return failed(run, Step.PREPARE, e, false);
        }
        if (rs.step() == Step.CREATE) {
            if (!discard(run, pending.id())) {
                return failed(run, Step.CREATE, new RotorException("could not remove the PENDING version '" + pending.id()
                        + "' of " + run.ref()), false);
            }
            String why = "the run stopped before APPLY; the target was never changed, PENDING removed";
            emitQuietly(run, new RotationEvent.RolledBack(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, run.previousId, Step.CREATE, pending.id(), why), null);
            return new RotationResult.RolledBack(run.runId, run.path, Step.CREATE, run.previousId, why);
        }
        run.applyStarted = true;
        return forward(run);
    }

    private RotationResult resumePromoted(Run run, State state) {
        try {
            run.previousId = state.previous() == null ? null : state.previous().id();
            emit(run, new RotationEvent.Started(run.runId, store.name(), run.path, clock.instant(), run.type,
                    run.previousId, state.currentId(), run.emergency, run.reason, run.actor, Step.NOTIFY), null, true);
            LOG.info("rotation {} of {} had promoted version '{}' when its process died; sending NOTIFY again", run.runId, run.ref(),
                    state.currentId());
            run.pending = read(run.path, Objects.requireNonNull(state.currentId()));
            run.current = run.previousId == null ? null : read(run.path, run.previousId);
        } catch (RuntimeException e) {
            return failed(run, Step.NOTIFY, e, false);
        }
        return finish(run);
    }

    /** A dead run that never stored a PENDING version: record how it ended. */
    private RotationResult endStopped(Run run, State state, LeaseRecord prior) {
        run.previousId = state.currentId();
        String why = "the run stopped at " + prior.step() + " before it stored a new version; nothing to undo";
        emitQuietly(run, new RotationEvent.Started(run.runId, store.name(), run.path, clock.instant(), run.type,
                run.previousId, run.previousId, run.emergency, run.reason, run.actor, Step.PREPARE), null);
        emitQuietly(run, new RotationEvent.RolledBack(run.runId, store.name(), run.path, clock.instant(), run.type,
                run.previousId, run.previousId, Step.PREPARE, null, why), null);
        return new RotationResult.RolledBack(run.runId, run.path, Step.PREPARE, run.previousId, why);
    }

    // ---- retire ------------------------------------------------------------------------------

    /** {@link #retireDue(String, Rotator, Duration)} with the engine's grace period. */
    public RotationResult retireDue(String path, Rotator rotator) {
        return retireDue(path, rotator, options.gracePeriod());
    }

    /**
     * Revokes PREVIOUS on the target once its grace period is over: {@code gracePeriod} after the
     * CURRENT version was written, or at once if CURRENT came from an emergency rotation. Then
     * removes the PREVIOUS stage. Finishes a dead run's work first, like {@link #resume}.
     *
     * @return {@link RotationResult.Retired}, {@link RotationResult.NothingToDo} (no PREVIOUS, or
     *     not yet due: the reason says when), or {@link RotationResult.Failed}
     * @throws RotationInProgressException if another run holds the secret's lease
     */
    public RotationResult retireDue(String path, Rotator rotator, Duration gracePeriod) {
        SecretRef.checkPath(path);
        Objects.requireNonNull(rotator, "rotator");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("gracePeriod must not be negative");
        }
        String runId = AuditContext.newRequestId();
        return AuditContext.callAs(RotationRequest.DEFAULT_ACTOR, runId, () -> {
            Run run = new Run(runId, path, rotator, false, "grace period over", RotationRequest.DEFAULT_ACTOR, null);
            if (!takeLease(run, Step.RETIRE.name())) {
                return run.failure;
            }
            RotationResult result;
            try {
                State state = readState(path);
                RotationResult leftover = recoverDeadRun(run, state);
                if (leftover instanceof RotationResult.Failed f) {
                    result = f;
                } else {
                    if (leftover != null) {
                        state = readState(path);
                        run.lease = leases.renew(run.lease, runId, Step.RETIRE.name());
                    }
                    result = retireIfDue(run, state, gracePeriod);
                }
            } catch (RotationInProgressException e) {
                leases.release(run.lease, "ABANDONED");
                throw e;
            } catch (LeaseLostException e) {
                result = lost(run, Step.RETIRE, e);
            } catch (RuntimeException e) {
                result = failed(run, Step.RETIRE, e, false);
            }
            releaseUnlessLost(run, result);
            return result;
        });
    }

    private RotationResult retireIfDue(Run run, State state, Duration gracePeriod) {
        VersionInfo previous = state.previous();
        VersionInfo current = state.current();
        if (previous == null || current == null) {
            return new RotationResult.NothingToDo(run.path, "no PREVIOUS version to retire");
        }
        run.previousId = current.id();
        boolean emergency = RunState.of(current).map(RunState::emergency).orElse(false);
        Instant due = current.created().plus(gracePeriod);
        if (!emergency && due.isAfter(clock.instant())) {
            return new RotationResult.NothingToDo(run.path, "PREVIOUS version '" + previous.id() + "' is due for RETIRE at " + due);
        }
        run.lease = leases.fence(run.lease, Step.RETIRE.name());
        // The rotator sees an emergency retire as one: it may not wait for anything.
        run.emergency = emergency;
        retire(run, read(run.path, previous.id()), read(run.path, current.id()),
                emergency ? "emergency rotation (retried)" : "grace period over");
        return new RotationResult.Retired(run.runId, run.path, previous.id(), current.id());
    }

    /** Revokes {@code previous} on the target (unless it is the same credential as {@code current}), then drops the stage. */
    private void retire(Run run, Secret previous, Secret current, String why) {
        String previousId = previous.version().id();
        if (previous.value().equals(current.value())) {
            LOG.info("rotation {} of {}: PREVIOUS version '{}' holds the same credential as CURRENT; not revoking it", run.runId,
                    run.ref(), previousId);
        } else {
            run.rotator.retire(run.context(), previous, current);
        }
        try {
            store.moveStage(run.path, Stage.PREVIOUS, null, previousId);
        } catch (ConflictException e) {
            LOG.info("rotation {} of {}: PREVIOUS moved away from '{}' meanwhile; leaving it", run.runId, run.ref(), previousId);
        }
        emitQuietly(run, new RotationEvent.Retired(run.runId, store.name(), run.path, clock.instant(), run.type,
                run.previousId, current.version().id(), previousId, why), null);
        LOG.info("rotation {} of {}: retired version '{}' ({})", run.runId, run.ref(), previousId, why);
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Takes the lease for {@code run}; on a store failure records a Failed result in {@code run.failure}. */
    private boolean takeLease(Run run, String step) {
        try {
            run.lease = leases.acquire(run.path, run.runId, run.type, step, run.emergency, run.reason, run.actor);
            return true;
        } catch (RotationInProgressException e) {
            LOG.info("{}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("rotation {} of {}: could not take the lease: {}", run.runId, run.ref(), describe(e));
            run.failure = failed(run, Step.PREPARE, e, true);
            return false;
        }
    }

    private void releaseUnlessLost(Run run, RotationResult result) {
        if (result instanceof RotationResult.Failed f && f.cause() instanceof LeaseLostException) {
            return;
        }
        String outcome = switch (result) {
            case RotationResult.Succeeded s -> "SUCCEEDED";
            case RotationResult.Failed f -> "FAILED";
            case RotationResult.RolledBack r -> "ROLLED_BACK";
            case RotationResult.Retired r -> "RETIRED";
            case RotationResult.NothingToDo n -> "NOTHING_TO_DO";
        };
        leases.release(run.lease, outcome);
    }

    private boolean discard(Run run, String pendingId) {
        try {
            store.moveStage(run.path, Stage.PENDING, null, pendingId);
            return true;
        } catch (ConflictException | SecretNotFoundException e) {
            // PENDING is no longer ours (or gone): nothing of this run is left to remove.
            return true;
        } catch (RuntimeException e) {
            LOG.warn("rotation {} of {}: could not remove PENDING version '{}': {}", run.runId, run.ref(), pendingId, describe(e));
            return false;
        }
    }

    private RotationResult lost(Run run, Step step, LeaseLostException e) {
        LOG.warn("rotation {} of {} stopped at {}: {}", run.runId, run.ref(), step, e.getMessage());
        return failed(run, step, e, false);
    }

    private RotationResult.Failed failed(Run run, Step step, RuntimeException e, boolean rolledBack) {
        String message = describe(e);
        String pendingId = run.pending == null ? null : run.pending.version().id();
        String currentNow = step.compareTo(Step.PROMOTE) > 0 && pendingId != null ? pendingId : run.previousId;
        if (!(e instanceof LeaseLostException)) {
            LOG.warn("rotation {} of {} failed at {} ({}): {}", run.runId, run.ref(), step,
                    rolledBack ? "nothing left behind" : "work left for the next run", message);
        }
        emitQuietly(run, new RotationEvent.Failed(run.runId, store.name(), run.path, clock.instant(), run.type,
                run.previousId, currentNow, step, message, rolledBack, pendingId), e);
        return new RotationResult.Failed(run.runId, run.path, step, rolledBack, currentNow, message, e);
    }

    private void completed(Run run, Step step) {
        String pendingId = run.pending == null ? null : run.pending.version().id();
        String currentNow = step.compareTo(Step.PROMOTE) >= 0 && pendingId != null ? pendingId : run.previousId;
        emitQuietly(run, new RotationEvent.StepCompleted(run.runId, store.name(), run.path, clock.instant(), run.type,
                run.previousId, currentNow, step, pendingId), null);
    }

    private Secret read(String path, String versionId) {
        return store.get(path, Selector.version(versionId));
    }

    private record State(@Nullable VersionInfo current, @Nullable VersionInfo pending, @Nullable VersionInfo previous) {
        @Nullable String currentId() {
            return current == null ? null : current.id();
        }
    }

    private State readState(String path) {
        List<VersionInfo> versions;
        try {
            versions = store.versions(path);
        } catch (SecretNotFoundException e) {
            return new State(null, null, null);
        }
        VersionInfo current = null;
        VersionInfo pending = null;
        VersionInfo previous = null;
        for (VersionInfo v : versions) {
            if (v.has(Stage.CURRENT)) {
                current = v;
            }
            if (v.has(Stage.PENDING)) {
                pending = v;
            }
            if (v.has(Stage.PREVIOUS)) {
                previous = v;
            }
        }
        // A store may leave PENDING on the CURRENT version after a crashed promote; that is no pending run.
        if (pending != null && current != null && pending.id().equals(current.id())) {
            pending = null;
        }
        return new State(current, pending, previous);
    }

    private void emitQuietly(Run run, RotationEvent event, @Nullable Throwable cause) {
        emit(run, event, cause, false);
    }

    /** Audits, then tells the listeners. With {@code failClosed} an audit failure is thrown, otherwise logged. */
    private void emit(Run run, RotationEvent event, @Nullable Throwable cause, boolean failClosed) {
        if (audit != null) {
            try {
                audit.append(auditOf(run, event, cause));
            } catch (RuntimeException e) {
                if (failClosed) {
                    throw e;
                }
                LOG.error("rotation {} of {}: could not audit {}: {}", run.runId, run.ref(), event.getClass().getSimpleName(), describe(e));
            }
        }
        for (RotationListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("rotation listener {} failed on {} of run {}: {}", l.getClass().getName(), event.getClass().getSimpleName(),
                        run.runId, describe(e));
            }
        }
    }

    private AuditEvent auditOf(Run run, RotationEvent event, @Nullable Throwable cause) {
        record A(AuditAction action, @Nullable String version, AuditOutcome outcome, String detail) {}
        A a = switch (event) {
            case RotationEvent.Started s -> new A(AuditAction.ROTATION_STARTED, s.currentVersionId(), AuditOutcome.SUCCESS,
                    "rotator=" + s.rotatorType() + (s.emergency() ? "; emergency" : "")
                            + (s.reason() == null ? "" : "; reason=" + s.reason())
                            + (s.resumedAt() == null ? "" : "; resumed at " + s.resumedAt()) + "; holder=" + leases.holder());
            case RotationEvent.StepCompleted s -> new A(AuditAction.ROTATION_STEP,
                    s.pendingVersionId() != null ? s.pendingVersionId() : s.currentVersionId(), AuditOutcome.SUCCESS, "step=" + s.step());
            case RotationEvent.Succeeded s -> new A(AuditAction.ROTATION_SUCCEEDED, s.currentVersionId(), AuditOutcome.SUCCESS,
                    "previous=" + s.previousVersionId() + (s.emergency() ? "; emergency" : "") + (s.resumed() ? "; resumed" : ""));
            case RotationEvent.Failed f -> new A(AuditAction.ROTATION_FAILED,
                    f.pendingVersionId() != null ? f.pendingVersionId() : f.currentVersionId(),
                    cause == null ? AuditOutcome.ERROR : AuditOutcome.of(cause),
                    "step=" + f.step() + "; rolledBack=" + f.rolledBack() + "; error=" + f.error());
            case RotationEvent.RolledBack r -> new A(AuditAction.ROTATION_ROLLED_BACK, r.discardedVersionId(), AuditOutcome.SUCCESS,
                    "step=" + r.step() + "; " + r.why());
            case RotationEvent.Retired r -> new A(AuditAction.ROTATION_RETIRED, r.retiredVersionId(), AuditOutcome.SUCCESS,
                    "current=" + r.currentVersionId() + "; " + r.why());
        };
        return AuditEvent.single(event.time(), run.actor, a.action(), store.name(), run.path, a.version(), null, a.outcome(), run.runId,
                a.detail());
    }

    /** Rotor's exceptions promise value-free messages; of anything else only the type is shown. */
    static String describe(Throwable e) {
        return e instanceof RotorException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getClass().getName();
    }

    /** One run's working state; confined to the thread running it. */
    private final class Run {
        final String runId;
        final String path;
        final Rotator rotator;
        final String type;
        boolean emergency;
        final @Nullable String reason;
        final String actor;
        final @Nullable Step resumedAt;
        Instant startedAt;
        Lease lease;
        @Nullable String previousId;
        @Nullable Secret current;
        @Nullable Secret pending;
        boolean applyStarted;
        RotationResult.@Nullable Failed failure;

        Run(String runId, String path, Rotator rotator, boolean emergency, @Nullable String reason, String actor, @Nullable Step resumedAt) {
            this.runId = runId;
            this.path = path;
            this.rotator = rotator;
            this.type = Objects.requireNonNull(rotator.type(), "rotator.type()");
            this.emergency = emergency;
            this.reason = reason;
            this.actor = actor;
            this.resumedAt = resumedAt;
            this.startedAt = clock.instant();
        }

        SecretRef ref() {
            return SecretRef.of(store.name(), path);
        }

        RotationContext context() {
            return new RotationContext(runId, store.name(), path, emergency, reason, clock);
        }
    }

    // ---- builder -----------------------------------------------------------------------------

    /** Configures an engine; {@link #build()} reports every problem at once. Not thread-safe. */
    public static final class Builder {
        private final SecretStore store;
        private Clock clock = Clock.systemUTC();
        private @Nullable AuditSink auditSink;
        private final List<RotationListener> listeners = new ArrayList<>();
        private RotationOptions options = RotationOptions.defaults();
        private @Nullable String holder;
        private final List<ConfigProblem> problems = new ArrayList<>();

        private Builder(SecretStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        public Builder clock(Clock clock) {
            if (clock == null) {
                problems.add(new ConfigProblem("rotation.clock", "must not be null"));
            } else {
                this.clock = clock;
            }
            return this;
        }

        /** Where rotation events are audited. Without one, events reach only the listeners and the log. */
        public Builder auditSink(AuditSink sink) {
            if (sink == null) {
                problems.add(new ConfigProblem("rotation.auditSink", "must not be null"));
            } else {
                this.auditSink = sink;
            }
            return this;
        }

        public Builder listener(RotationListener listener) {
            if (listener == null) {
                problems.add(new ConfigProblem("rotation.listeners", "must not hold null"));
            } else {
                listeners.add(listener);
            }
            return this;
        }

        public Builder options(RotationOptions options) {
            if (options == null) {
                problems.add(new ConfigProblem("rotation", "options must not be null"));
            } else {
                this.options = options;
            }
            return this;
        }

        /**
         * The name this engine holds leases under, shown to runs it blocks. Default: host name,
         * process id and a random suffix, so two engines never share a name.
         */
        public Builder holder(String holder) {
            if (holder == null || holder.isBlank() || holder.length() > 200 || holder.contains("\n") || holder.contains("\r")) {
                problems.add(new ConfigProblem("rotation.holder", "must be 1 to 200 characters on one line"));
            } else {
                this.holder = holder;
            }
            return this;
        }

        /** @throws InvalidConfigurationException listing every problem */
        public RotationEngine build() {
            InvalidConfigurationException.throwIfAny(problems);
            if (holder == null) {
                holder = defaultHolder();
            }
            return new RotationEngine(this);
        }

        private static String defaultHolder() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                host = "localhost";
            }
            byte[] suffix = new byte[4];
            new SecureRandom().nextBytes(suffix);
            return host + "/" + ProcessHandle.current().pid() + "/" + HexFormat.of().formatHex(suffix);
        }
    }
}
