package dev.rotor.vault;

import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.vault.StateRecord.Intent;
import dev.rotor.vault.StateRecord.VersionEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The state of one secret as the store sees it right now: the {@link StateRecord} brought up to the
 * live version that a plain reader gets ({@code asOfLive}). Immutable; the {@code with...} methods
 * make the next state to write.
 *
 * @param live live version number to Rotor version id
 */
record View(@Nullable String current, @Nullable String pending, @Nullable String previous, long asOfLive,
        Map<Long, String> live, List<VersionEntry> entries, List<Intent> intents) {

    View {
        live = Map.copyOf(live);
        entries = List.copyOf(entries);
        intents = List.copyOf(intents);
    }

    @Nullable VersionEntry find(String id) {
        for (VersionEntry e : entries) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    @Nullable VersionEntry byIdempotencyKey(String key) {
        for (VersionEntry e : entries) {
            if (key.equals(e.idempotencyKey())) {
                return e;
            }
        }
        return null;
    }

    @Nullable String stage(Stage stage) {
        return switch (stage) {
            case CURRENT -> current;
            case PENDING -> pending;
            case PREVIOUS -> previous;
        };
    }

    Set<Stage> stagesOf(String id) {
        Set<Stage> s = EnumSet.noneOf(Stage.class);
        for (Stage st : Stage.values()) {
            if (id.equals(stage(st))) {
                s.add(st);
            }
        }
        return s;
    }

    VersionInfo info(VersionEntry e) {
        return new VersionInfo(e.id(), e.created(), stagesOf(e.id()), e.tags());
    }

    /** Versions oldest first; creation times never go backwards. */
    List<VersionInfo> versions() {
        List<VersionEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(VersionEntry::created)); // stable: equal times keep their order
        return sorted.stream().map(this::info).toList();
    }

    /** Whether the version was ever the live (CURRENT) one, as far as the record remembers. */
    boolean everLive(String id) {
        return id.equals(current) || id.equals(previous) || live.containsValue(id);
    }

    boolean isNewest(String id) {
        return !entries.isEmpty() && entries.get(entries.size() - 1).id().equals(id);
    }

    View withEntry(VersionEntry e) {
        if (find(e.id()) != null) {
            return this;
        }
        List<VersionEntry> more = new ArrayList<>(entries);
        more.add(e);
        return new View(current, pending, previous, asOfLive, live, more, intents);
    }

    View withStage(Stage stage, @Nullable String id) {
        return switch (stage) {
            case CURRENT -> throw new IllegalArgumentException("CURRENT moves only through promote()");
            case PENDING -> new View(current, id, previous, asOfLive, live, entries, intents);
            case PREVIOUS -> new View(current, pending, id, asOfLive, live, entries, intents);
        };
    }

    View withIntent(Intent intent) {
        List<Intent> more = new ArrayList<>(intents);
        more.add(intent);
        return new View(current, pending, previous, asOfLive, live, entries, more);
    }

    /**
     * The record to write: the newest {@code maxVersions} versions plus any a stage or a promotion
     * under way points at, and the live mapping of that many recent live versions.
     */
    StateRecord toRecord(int maxVersions) {
        Set<String> pinned = new HashSet<>();
        for (String id : new String[] {current, pending, previous}) {
            if (id != null) {
                pinned.add(id);
            }
        }
        intents.forEach(i -> pinned.add(i.id()));
        List<VersionEntry> kept = new ArrayList<>();
        int newer = 0;
        for (int i = entries.size() - 1; i >= 0; i--) {
            VersionEntry e = entries.get(i);
            if (newer < maxVersions || pinned.contains(e.id())) {
                kept.add(0, e);
            }
            newer++;
        }
        Map<String, String> liveText = new TreeMap<>();
        live.forEach((j, id) -> {
            if (j > asOfLive - maxVersions) {
                liveText.put(Long.toString(j), id);
            }
        });
        return new StateRecord(StateRecord.FORMAT, kept, current, pending, previous, asOfLive, liveText, intents);
    }
}
