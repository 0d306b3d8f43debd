package dev.rotor.hikari;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Which credential generation each physical connection was opened with. Keys are held weakly and
 * compared by identity, so a connection the pool closed and dropped leaves no entry behind and a
 * driver's own {@code equals} does not matter. Thread-safe.
 */
final class ConnectionTags {

    private final ConcurrentHashMap<Key, Long> tags = new ConcurrentHashMap<>();
    private final ReferenceQueue<Connection> queue = new ReferenceQueue<>();

    void put(Connection connection, long generation) {
        expunge();
        tags.put(new Key(connection, queue), generation);
    }

    /** The generation {@code connection} was opened with, or null if it is not one of ours. */
    @Nullable Long get(Connection connection) {
        return tags.get(new Key(connection, null));
    }

    void remove(Connection connection) {
        tags.remove(new Key(connection, null));
    }

    int size() {
        expunge();
        return tags.size();
    }

    private void expunge() {
        for (Reference<? extends Connection> r = queue.poll(); r != null; r = queue.poll()) {
            tags.remove(r);
        }
    }

    private static final class Key extends WeakReference<Connection> {
        private final int hash;

        Key(Connection connection, @Nullable ReferenceQueue<Connection> queue) {
            super(connection, queue);
            this.hash = System.identityHashCode(connection);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key other)) {
                return false;
            }
            Connection mine = get();
            return mine != null && mine == other.get();
        }
    }
}
