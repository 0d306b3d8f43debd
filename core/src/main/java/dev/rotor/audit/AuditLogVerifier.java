package dev.rotor.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.RotorException;
import dev.rotor.audit.AuditVerification.CheckpointStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Checks an audit log written by {@link JsonlAuditSink}: every line's JSON and fields, the
 * {@code seq} order, the {@code prev} hash chain, and the end of the log against its checkpoint.
 * It names the line of each problem and what most likely happened:
 *
 * <ul>
 *   <li>an edited line: its hash no longer matches the {@code prev} of the next line;
 *   <li>a deleted line: a gap in {@code seq} ("line 7: seq 8 expected 7 (a line was deleted or
 *       moved before it)");
 *   <li>swapped or moved lines: {@code seq} out of order, told apart from a deletion by looking
 *       one line ahead and by where the missing {@code seq} turns up;
 *   <li>a line that is not JSON, not an object, or has missing, unknown or ill-typed fields;
 *   <li>a last line with no line end (cut off mid-write);
 *   <li>a cut-off tail: the checkpoint records a {@code seq} the log does not reach, or a
 *       different hash for it;
 *   <li>a forged checkpoint: with the key, an HMAC that does not match.
 * </ul>
 *
 * After a problem it goes on, so one edit yields one problem rather than one per later line; it
 * lists the first {@link #MAX_PROBLEMS} and counts the rest. It cannot detect a log rewritten by
 * someone who holds the checkpoint key (or, for unsigned checkpoints, anyone who can write the
 * files), nor lines cut off the end when there is no checkpoint; see {@code docs/audit.md}.
 *
 * <p>Reads the file once, front to back, holding one line at a time. Thread-safe: stateless.
 */
public final class AuditLogVerifier {

    /** At most this many problems are listed; the rest are only counted. */
    public static final int MAX_PROBLEMS = 20;

    /** A line longer than this is reported, not parsed. */
    static final int MAX_LINE_BYTES = 1 << 20;

    /** Seqs remembered per gap or moved line, to recognise a line that turns up elsewhere. */
    private static final int MAX_REMEMBERED = 10_000;

    private AuditLogVerifier() {}

    /** Verifies without a checkpoint key: a signed checkpoint's MAC is not checked. */
    public static AuditVerification verify(Path file) {
        return verify(file, null);
    }

    /**
     * Verifies the log at {@code file} and the checkpoint beside it ({@code <file>.checkpoint}).
     *
     * @param checkpointKey the key the sink signs checkpoints with, or null to skip the MAC check
     * @throws RotorException if the log cannot be read at all (missing, unreadable); problems in
     *     its content are reported in the result, never thrown
     */
    public static AuditVerification verify(Path file, byte @Nullable [] checkpointKey) {
        Objects.requireNonNull(file, "file");
        byte[] key = checkpointKey == null ? null : checkpointKey.clone();
        try {
            Run run = new Run(List.of(new Input(file, false)), key, 0, AuditChain.ZERO_HASH);
            return run.run();
        } catch (IOException e) {
            throw new RotorException("cannot read audit log " + file + ": " + e, e);
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /**
     * Verifies every file of the log whose file being written is {@code file}: the files rolled
     * over before it ({@code <file>.<first seq>}, compressed ones {@code <file>.<first seq>.gz})
     * oldest first, then {@code file} itself, as one chain: each file's first line must link to the
     * last line of the file before it. Where retention deleted the oldest files, the chain starts
     * from the anchor ({@code <file>.anchor}), whose HMAC is checked with the key like the
     * checkpoint's. The checkpoint vouches for the end of the last file.
     *
     * @param checkpointKey the key the sink signs checkpoints and anchors with, or null to skip the
     *     MAC checks
     * @throws RotorException if no file of the log exists or one cannot be read at all
     */
    public static AuditLogVerification verifyLog(Path file, byte @Nullable [] checkpointKey) {
        Objects.requireNonNull(file, "file");
        Path log = file.toAbsolutePath();
        byte[] key = checkpointKey == null ? null : checkpointKey.clone();
        try {
            List<Input> inputs = new ArrayList<>();
            for (AuditSegments.Segment s : AuditSegments.list(log)) {
                inputs.add(new Input(s.path(), s.gzipped()));
            }
            if (Files.exists(log) || inputs.isEmpty()) {
                if (!Files.isRegularFile(log) && inputs.isEmpty()) {
                    throw new RotorException("cannot read audit log " + file + ": no such file, and no rolled-over files beside it", null);
                }
                inputs.add(new Input(log, false));
            }
            List<AuditFileProblem> anchorProblems = new ArrayList<>();
            Path anchorFile = AuditCheckpoint.anchorPathFor(log);
            Optional<AuditCheckpoint> anchor = Optional.empty();
            CheckpointStatus anchorStatus;
            try {
                anchor = AuditCheckpoint.readAnchor(log);
            } catch (IllegalArgumentException e) {
                anchorProblems.add(new AuditFileProblem(anchorFile, 0, "anchor " + anchorFile + " is not a valid anchor ("
                        + e.getMessage() + ")"));
            }
            if (anchor.isEmpty()) {
                anchorStatus = Files.exists(anchorFile) ? CheckpointStatus.INVALID : CheckpointStatus.NONE;
            } else if (key == null) {
                anchorStatus = anchor.get().signed() ? CheckpointStatus.SIGNED_NOT_CHECKED : CheckpointStatus.UNSIGNED;
            } else if (!anchor.get().signed()) {
                anchorStatus = CheckpointStatus.UNSIGNED;
                anchorProblems.add(new AuditFileProblem(anchorFile, 0, "anchor " + anchorFile + " is unsigned although a key"
                        + " was given: anyone who can write the files could have written it"));
            } else if (anchor.get().macMatches(AuditCheckpoint.ANCHOR_FORMAT, key)) {
                anchorStatus = CheckpointStatus.VERIFIED;
            } else {
                anchorStatus = CheckpointStatus.INVALID;
                anchorProblems.add(new AuditFileProblem(anchorFile, 0, "anchor " + anchorFile + ": its HMAC does not match the"
                        + " key (forged, altered, or signed with another key); it claims seq " + anchor.get().seq()));
            }
            Input first = inputs.get(0);
            long firstSeq = AuditSegments.firstLine(first.path(), first.gzipped()).map(AuditSegments.LineInfo::seq).orElse(1L);
            long startSeq = 0;
            String startHash = AuditChain.ZERO_HASH;
            // The chain starts from the anchor unless the files it covers are still here (a crash while deleting them).
            boolean fromAnchor = anchor.isPresent() && firstSeq > 1;
            if (fromAnchor) {
                startSeq = anchor.get().seq();
                startHash = anchor.get().hash();
            }
            Run run = new Run(inputs, key, startSeq, startHash);
            if (anchor.isPresent() && !fromAnchor) {
                run.anchorSeq = anchor.get().seq();
            }
            AuditVerification whole = run.run();
            if (anchor.isPresent() && !fromAnchor && !(run.anchorFound && anchor.get().hash().equals(run.anchorLineHash))) {
                anchorProblems.add(new AuditFileProblem(anchorFile, 0, "anchor " + anchorFile + " records seq " + anchor.get().seq()
                        + " with a hash that no line in order holds: the anchor or the log was edited"));
            }
            List<AuditFileProblem> problems = new ArrayList<>(run.fileProblems());
            long unlisted = run.unlisted();
            for (AuditFileProblem p : anchorProblems) {
                if (problems.size() < MAX_PROBLEMS) {
                    problems.add(0, p);
                } else {
                    unlisted++;
                }
            }
            return new AuditLogVerification(problems.isEmpty() && unlisted == 0, inputs.stream().map(Input::path).toList(),
                    whole.linesChecked(), fromAnchor ? startSeq + 1 : 1, whole.lastSeq(), problems, unlisted,
                    whole.checkpoint(), anchorStatus);
        } catch (IOException e) {
            throw new RotorException("cannot read audit log " + file + ": " + e, e);
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** One line as read: its bytes (up to the limit), its hash, whether it ended with '\n'. */
    private record RawLine(long number, byte[] bytes, boolean tooLong, boolean terminated, String hash) {}

    /**
     * One line as parsed.
     *
     * @param seq its seq, or -1 if it has none usable (then it is skipped by the chain)
     * @param prev its prev, or null if unusable
     * @param problems problems of the line itself, without the "line N: " prefix
     */
    private record Parsed(int file, long line, String hash, long seq, @Nullable String prev, List<String> problems, boolean torn) {}

    /** One file of the log, in chain order; the last one is the file being written, with the checkpoint. */
    private record Input(Path path, boolean gzipped) {}

    private record Gap(long line, int problem, long expected, long found) {}

    private record Misplaced(long line, String hash, int problem, long expected) {}

    private static final class Run {
        private final List<Input> inputs;
        private final Path file;
        private final byte @Nullable [] key;
        private final List<AuditProblem> problems = new ArrayList<>();
        // Which input each listed problem concerns (parallel to problems).
        private final List<Integer> problemFiles = new ArrayList<>();
        private int addFile;
        private long unlisted;

        private int fileIndex;
        private long totalLines;
        private long linesRead;
        private int lastFile;
        private long lastSeq;
        private String lastHash = AuditChain.ZERO_HASH;
        private long lastLine;
        private boolean lastHadProblem;
        private boolean afterMalformed;
        private long tornLine;
        // seq -> where its absence was noticed; seq -> a line found ahead of its place
        private final Map<Long, Gap> missing = new HashMap<>();
        private final Map<Long, Misplaced> misplaced = new HashMap<>();

        private long checkpointSeq = -1;
        private long checkpointLine;
        private int checkpointFileIndex;
        private @Nullable String checkpointLineHash;

        // What the anchor records (the chain's start when older files were deleted), to check it like the checkpoint.
        private long anchorSeq = -1;
        private @Nullable String anchorLineHash;
        private boolean anchorFound;

        /** Chains {@code inputs} in order, starting after {@code startSeq} whose line hashed to {@code startHash}. */
        Run(List<Input> inputs, byte @Nullable [] key, long startSeq, String startHash) {
            this.inputs = inputs;
            this.file = inputs.get(inputs.size() - 1).path();
            this.key = key;
            this.lastSeq = startSeq;
            this.lastHash = startHash;
        }

        AuditVerification run() throws IOException {
            Path checkpointFile = AuditCheckpoint.pathFor(file);
            Optional<AuditCheckpoint> checkpoint = Optional.empty();
            CheckpointStatus status;
            boolean macBad = false;
            try {
                checkpoint = AuditCheckpoint.read(file);
            } catch (IllegalArgumentException e) {
                add(0, "checkpoint " + checkpointFile + " is not a valid checkpoint (" + e.getMessage() + ")");
            }
            if (checkpoint.isPresent()) {
                AuditCheckpoint cp = checkpoint.get();
                checkpointSeq = cp.seq();
                if (key == null) {
                    status = cp.signed() ? CheckpointStatus.SIGNED_NOT_CHECKED : CheckpointStatus.UNSIGNED;
                } else if (!cp.signed()) {
                    status = CheckpointStatus.UNSIGNED;
                    add(0, "checkpoint " + checkpointFile + " is unsigned although a key was given: anyone who can write"
                            + " the file could have written it");
                } else if (cp.macMatches(key)) {
                    status = CheckpointStatus.VERIFIED;
                } else {
                    status = CheckpointStatus.INVALID;
                    macBad = true;
                }
            } else if (Files.exists(checkpointFile)) {
                status = CheckpointStatus.INVALID;
            } else {
                status = CheckpointStatus.NONE;
                if (key != null) {
                    add(0, "checkpoint " + checkpointFile + " does not exist: a cut-off tail cannot be detected"
                            + " (the sink writes it whenever it writes the log; was it deleted?)");
                }
            }

            scan();

            addFile = inputs.size() - 1;
            if (checkpoint.isPresent()) {
                checkTail(checkpointFile, checkpoint.get(), macBad);
            }
            List<AuditProblem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingLong(p -> p.line() == 0 ? Long.MAX_VALUE : p.line()));
            return new AuditVerification(sorted.isEmpty() && unlisted == 0, totalLines, lastSeq, sorted, unlisted, status);
        }

        /** The listed problems with the file each concerns, in file order, then line order. */
        List<AuditFileProblem> fileProblems() {
            List<AuditFileProblem> out = new ArrayList<>(problems.size());
            for (int i = 0; i < problems.size(); i++) {
                AuditProblem p = problems.get(i);
                out.add(new AuditFileProblem(inputs.get(problemFiles.get(i)).path(), p.line(), p.message()));
            }
            List<Path> order = inputs.stream().map(Input::path).toList();
            out.sort(Comparator.<AuditFileProblem>comparingInt(p -> order.indexOf(p.file()))
                    .thenComparingLong(p -> p.line() == 0 ? Long.MAX_VALUE : p.line()));
            return out;
        }

        long unlisted() {
            return unlisted;
        }

        /** Where a line is, for a message about a line of {@code from}: "line N", or "line N of FILE" in another file. */
        private String ref(int lineFile, long line, int from) {
            return lineFile == from ? "line " + line : "line " + line + " of " + inputs.get(lineFile).path().getFileName();
        }

        // ---- reading -------------------------------------------------------------------------

        private void scan() throws IOException {
            Parsed pending = null;
            for (fileIndex = 0; fileIndex < inputs.size(); fileIndex++) {
                linesRead = 0;
                pending = scan(inputs.get(fileIndex), pending);
                totalLines += linesRead;
            }
            step(pending, null);
        }

        private @Nullable Parsed scan(Input input, @Nullable Parsed carried) throws IOException {
            MessageDigest digest = AuditChain.sha256();
            Parsed pending = carried;
            try (InputStream in = input.gzipped() ? AuditSegments.open(input.path(), true) : Files.newInputStream(input.path())) {
                byte[] chunk = new byte[64 * 1024];
                byte[] line = new byte[1024];
                int length = 0;
                boolean tooLong = false;
                int n;
                while ((n = in.read(chunk)) > 0) {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] != '\n') {
                            continue;
                        }
                        digest.update(chunk, start, i - start);
                        if (!tooLong) {
                            line = appendCapped(line, length, chunk, start, i - start);
                            tooLong = length + (i - start) > MAX_LINE_BYTES;
                            length = Math.min(length + (i - start), MAX_LINE_BYTES);
                        }
                        Parsed parsed = parse(new RawLine(++linesRead, Arrays.copyOf(line, length), tooLong, true,
                                AuditChain.hex(digest.digest())));
                        pending = step(pending, parsed);
                        length = 0;
                        tooLong = false;
                        start = i + 1;
                    }
                    digest.update(chunk, start, n - start);
                    if (!tooLong) {
                        line = appendCapped(line, length, chunk, start, n - start);
                        tooLong = length + (n - start) > MAX_LINE_BYTES;
                        length = Math.min(length + (n - start), MAX_LINE_BYTES);
                    }
                }
                if (length > 0 || tooLong) {
                    Parsed torn = parse(new RawLine(++linesRead, Arrays.copyOf(line, length), tooLong, false,
                            AuditChain.hex(digest.digest())));
                    pending = step(pending, torn);
                }
            }
            return pending;
        }

        private static byte[] appendCapped(byte[] line, int length, byte[] src, int from, int count) {
            int room = MAX_LINE_BYTES - length;
            int take = Math.min(room, count);
            if (take <= 0) {
                return line;
            }
            byte[] target = line;
            if (length + take > target.length) {
                target = Arrays.copyOf(target, Math.min(MAX_LINE_BYTES, Math.max(target.length * 2, length + take)));
            }
            System.arraycopy(src, from, target, length, take);
            return target;
        }

        /** Processes {@code current} now that the line after it is known (one line of lookahead). */
        private @Nullable Parsed step(@Nullable Parsed current, @Nullable Parsed next) {
            if (current != null) {
                process(current, next);
            }
            return next;
        }

        private Parsed parse(RawLine raw) {
            long n = raw.number();
            if (!raw.terminated()) {
                String what = fileIndex == inputs.size() - 1
                        ? "cut off: the last line has no line end (a crash while it was being written, or the file was cut"
                                + " mid-line); the sink removes it when it next opens the log"
                        : "cut off: the last line of this rolled-over file has no line end (the file was cut mid-line)";
                return new Parsed(fileIndex, n, raw.hash(), -1, null, List.of(what), true);
            }
            if (raw.tooLong()) {
                return malformed(raw, "longer than " + MAX_LINE_BYTES + " bytes: not an audit record");
            }
            if (raw.bytes().length == 0) {
                return malformed(raw, "empty line");
            }
            JsonNode node;
            try {
                node = AuditEventCodec.readTree(raw.bytes());
            } catch (JsonProcessingException e) {
                return malformed(raw, "not valid JSON" + AuditEventCodec.jsonErrorLocation(e));
            } catch (IOException e) {
                return malformed(raw, "not readable as JSON (" + e.getClass().getSimpleName() + ")");
            }
            if (node == null || !node.isObject()) {
                return malformed(raw, "not a JSON object");
            }
            if (!node.has(AuditChain.SEQ) && !node.has(AuditChain.PREV) && AuditEventCodec.FIELDS.stream().noneMatch(node::has)) {
                return malformed(raw, "a JSON object, but not an audit record (it has none of the audit fields)");
            }
            List<String> lineProblems = new ArrayList<>();
            long seq = AuditChain.seqOf(node);
            if (seq < 0) {
                lineProblems.add(node.has(AuditChain.SEQ) ? "field 'seq' must be a whole number of at least 1" : "missing field 'seq'");
            }
            JsonNode prevNode = node.get(AuditChain.PREV);
            String prev = null;
            if (prevNode == null) {
                lineProblems.add("missing field 'prev'");
            } else if (!prevNode.isTextual() || !AuditChain.isHash(prevNode.textValue())) {
                lineProblems.add("field 'prev' must be 64 lowercase hex digits");
            } else {
                prev = prevNode.textValue();
            }
            if (AuditEventCodec.decode(node, AuditChain.LINE_FIELDS) instanceof AuditEventCodec.Decoded.Invalid invalid) {
                lineProblems.addAll(invalid.problems());
            }
            return new Parsed(fileIndex, n, raw.hash(), seq, prev, lineProblems, false);
        }

        private Parsed malformed(RawLine raw, String problem) {
            return new Parsed(fileIndex, raw.number(), raw.hash(), -1, null, List.of(problem), false);
        }

        // ---- the chain -----------------------------------------------------------------------

        private void process(Parsed cur, @Nullable Parsed next) {
            addFile = cur.file();
            long n = cur.line();
            for (String p : cur.problems()) {
                add(n, "line " + n + ": " + p);
            }
            if (cur.torn()) {
                tornLine = n;
                return;
            }
            long s = cur.seq();
            if (s < 0) {
                // Not part of the chain as far as we can tell; the next line may still link to the one before it.
                afterMalformed = true;
                return;
            }
            long e = lastSeq + 1;
            if (afterMalformed) {
                afterMalformed = false;
                if (s == e || s == e + 1) {
                    // A bad line was inserted (s == e) or took seq e's place (s == e + 1): already reported.
                    accept(cur, s, false, next);
                    return;
                }
            }
            if (s == e) {
                accept(cur, s, true, next);
                return;
            }
            if (next != null && next.seq() == e) {
                // The next line continues the chain: this one belongs elsewhere.
                if (s > e) {
                    int idx = add(n, "line " + n + ": seq " + s + " expected " + e
                            + " (this line was moved here from later in the log, or copied)");
                    remember(misplaced, s, new Misplaced(n, cur.hash(), idx, e));
                } else {
                    misplacedBackwards(cur, e);
                }
                return;
            }
            if (next != null && next.seq() == e + 1) {
                // The lines around it go on as if it had seq e: its seq field was changed.
                add(n, "line " + n + ": seq " + s + " expected " + e + " (the line was edited: the lines after it continue from " + e + ")");
                accept(cur, e, true, next);
                lastHadProblem = true;
                return;
            }
            if (s < e) {
                misplacedBackwards(cur, e);
                return;
            }
            gap(cur, e, next);
        }

        /** {@code s > e}: seqs e..s-1 are not here. Either they were found earlier out of place, or they are gone. */
        private void gap(Parsed cur, long e, @Nullable Parsed next) {
            long n = cur.line();
            long s = cur.seq();
            Misplaced last = misplaced.get(s - 1);
            if (last != null && s - e <= MAX_REMEMBERED && cur.prev() != null && cur.prev().equals(last.hash())) {
                boolean allFound = true;
                for (long q = e; q < s && allFound; q++) {
                    allFound = misplaced.containsKey(q);
                }
                if (allFound) {
                    // Every missing line was met earlier, ahead of its place, and this line links to the last of
                    // them: the damage is the move, already reported there.
                    for (long q = e; q < s; q++) {
                        Misplaced m = misplaced.remove(q);
                        refine(m.problem(), "line " + m.line() + ": seq " + q + " expected " + m.expected()
                                + " (this line was moved here from later: it belongs between lines " + lastLine + " and " + n + ")");
                    }
                    accept(cur, s, false, next);
                    return;
                }
            }
            long count = s - e;
            int idx = add(n, "line " + n + ": seq " + s + " expected " + e + " ("
                    + (count == 1 ? "a line was" : count + " lines were") + " deleted or moved before it)");
            for (long q = e; q < s && q - e < MAX_REMEMBERED; q++) {
                remember(missing, q, new Gap(n, idx, e, s));
            }
            accept(cur, s, false, next);
        }

        /** {@code s < e}: a seq that should have come earlier. */
        private void misplacedBackwards(Parsed cur, long e) {
            long n = cur.line();
            long s = cur.seq();
            Gap gap = missing.remove(s);
            if (gap != null) {
                add(n, "line " + n + ": seq " + s + " expected " + e + " (it belongs before line " + gap.line() + ": it was moved)");
                if (gap.found() - gap.expected() == 1) {
                    refine(gap.problem(), "line " + gap.line() + ": seq " + gap.found() + " expected " + gap.expected()
                            + " (the line with seq " + s + " was moved to line " + n + ")");
                }
            } else {
                add(n, "line " + n + ": seq " + s + " expected " + e
                        + " (seq " + s + " already appeared: the line is a copy, or was moved here from earlier)");
            }
        }

        /** Takes {@code cur} into the chain as {@code seq}, checking its link to the last line taken. */
        private void accept(Parsed cur, long seq, boolean checkLink, @Nullable Parsed next) {
            long n = cur.line();
            boolean blamed = false;
            String prev = cur.prev();
            if (checkLink && prev != null && !prev.equals(lastHash) && !lastHadProblem) {
                if (lastLine == 0 && lastSeq == 0) {
                    add(n, "line " + n + ": prev should be 64 zeros on the first record: the line was edited");
                    blamed = true;
                } else if (lastLine == 0) {
                    add(n, "line " + n + ": its prev does not match the hash the anchor records for seq " + lastSeq
                            + " (the last line of the files retention deleted): the line or the anchor was edited");
                    blamed = true;
                } else if (next == null || next.prev() == null || cur.hash().equals(next.prev())) {
                    addAt(lastFile, lastLine, "line " + lastLine + ": edited: its hash does not match the prev recorded on "
                            + ref(cur.file(), n, lastFile));
                } else {
                    // Neither its prev nor its own hash agrees with its neighbours: this line changed.
                    add(n, "line " + n + ": edited: its prev does not match " + ref(lastFile, lastLine, cur.file())
                            + " and its hash does not match the prev recorded on " + ref(next.file(), next.line(), cur.file()));
                    blamed = true;
                }
            }
            Misplaced later = misplaced.get(seq + 1);
            if (later != null && later.line() == n - 1) {
                misplaced.remove(seq + 1);
                refine(later.problem(), "line " + later.line() + ": seq " + (seq + 1) + " expected " + later.expected()
                        + " (lines " + later.line() + " and " + n + " were swapped)");
                // The line after this one links to the misplaced line: check it against that.
                lastSeq = seq + 1;
                lastHash = later.hash();
                lastLine = later.line();
                lastFile = cur.file();
                lastHadProblem = false;
                noteCheckpoint(seq, cur.file(), n, cur.hash());
                noteCheckpoint(seq + 1, cur.file(), later.line(), later.hash());
                return;
            }
            Misplaced copy = misplaced.remove(seq);
            if (copy != null) {
                refine(copy.problem(), "line " + copy.line() + ": seq " + seq + " expected " + copy.expected()
                        + (copy.hash().equals(cur.hash()) ? " (a copy of line " + n + ")"
                                : " (line " + n + " also has seq " + seq + ": this one was inserted)"));
            }
            lastSeq = seq;
            lastHash = cur.hash();
            lastLine = n;
            lastFile = cur.file();
            lastHadProblem = blamed || !cur.problems().isEmpty();
            noteCheckpoint(seq, cur.file(), n, cur.hash());
        }

        private void noteCheckpoint(long seq, int inFile, long line, String hash) {
            if (seq == checkpointSeq) {
                checkpointLine = line;
                checkpointFileIndex = inFile;
                checkpointLineHash = hash;
            }
            if (seq == anchorSeq) {
                anchorFound = true;
                anchorLineHash = hash;
            }
        }

        // ---- the checkpoint ------------------------------------------------------------------

        private void checkTail(Path checkpointFile, AuditCheckpoint cp, boolean macBad) {
            long missingLine = tornLine > 0 ? tornLine : linesRead + 1;
            if (macBad) {
                long line = checkpointLine > 0 ? checkpointLine : missingLine;
                addFile = checkpointLine > 0 ? checkpointFileIndex : inputs.size() - 1;
                add(line, "checkpoint " + checkpointFile + ": its HMAC does not match the key (forged, altered, or signed"
                        + " with another key); it claims seq " + cp.seq() + ", line " + line);
                return;
            }
            if (cp.seq() > lastSeq) {
                add(missingLine, "line " + missingLine + ": missing: the checkpoint (written " + cp.time() + ") records seq "
                        + cp.seq() + ", but the log ends at seq " + lastSeq
                        + (lastLine > 0 ? " on " + ref(lastFile, lastLine, inputs.size() - 1) : "") + ": its tail was cut off");
            } else if (cp.seq() == 0) {
                if (!cp.hash().equals(AuditChain.ZERO_HASH)) {
                    add(0, "checkpoint " + checkpointFile + ": seq 0 must carry the zero hash; the checkpoint was edited");
                }
            } else if (checkpointLine == 0) {
                add(0, "checkpoint " + checkpointFile + " records seq " + cp.seq() + ", which no line holds in order");
            } else if (!cp.hash().equals(checkpointLineHash)) {
                addFile = checkpointFileIndex;
                add(checkpointLine, "line " + checkpointLine + ": its hash differs from the one the checkpoint records for seq "
                        + cp.seq() + ": the line was edited, or the chain was rewritten from an earlier line");
            }
        }

        // ---- bookkeeping -----------------------------------------------------------------------

        /** Lists a problem (or counts it past the cap); returns its index, or -1 if not listed. */
        private int addAt(int inFile, long line, String message) {
            int saved = addFile;
            addFile = inFile;
            try {
                return add(line, message);
            } finally {
                addFile = saved;
            }
        }

        private int add(long line, String message) {
            if (problems.size() >= MAX_PROBLEMS) {
                unlisted++;
                return -1;
            }
            problemFiles.add(addFile);
            problems.add(new AuditProblem(line, message));
            return problems.size() - 1;
        }

        private void refine(int index, String message) {
            if (index >= 0) {
                problems.set(index, new AuditProblem(problems.get(index).line(), message));
            }
        }

        private static <V> void remember(Map<Long, V> map, long seq, V value) {
            if (map.size() < MAX_REMEMBERED) {
                map.put(seq, value);
            }
        }
    }
}
