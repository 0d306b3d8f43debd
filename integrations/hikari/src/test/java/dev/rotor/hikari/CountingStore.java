package dev.rotor.hikari;

import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.spi.ForwardingSecretStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the reads that reach a store: version lists (the uncached re-reads) and gets. */
final class CountingStore extends ForwardingSecretStore {

    final AtomicInteger versionLists = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();

    CountingStore(SecretStore delegate) {
        super(delegate);
    }

    @Override
    public List<VersionInfo> versions(String path) {
        versionLists.incrementAndGet();
        return super.versions(path);
    }

    @Override
    public Secret get(String path, Selector selector) {
        gets.incrementAndGet();
        return super.get(path, selector);
    }
}
