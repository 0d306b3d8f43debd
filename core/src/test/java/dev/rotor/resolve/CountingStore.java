package dev.rotor.resolve;

import dev.rotor.Secret;
import dev.rotor.SecretStore;
import dev.rotor.Selector;
import dev.rotor.spi.ForwardingSecretStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Records every bulk and single read; optionally fails bulk reads or runs a hook before them. */
final class CountingStore extends ForwardingSecretStore {

    record BulkRead(List<String> paths, Selector selector, boolean virtualThread) {}

    final List<BulkRead> bulkReads = new CopyOnWriteArrayList<>();
    final List<String> singleReads = new CopyOnWriteArrayList<>();
    private volatile @Nullable Supplier<RuntimeException> failure;
    private volatile @Nullable Runnable beforeRead;

    CountingStore(SecretStore delegate) {
        super(delegate);
    }

    CountingStore failingWith(Supplier<RuntimeException> f) {
        this.failure = f;
        return this;
    }

    CountingStore beforeRead(Runnable hook) {
        this.beforeRead = hook;
        return this;
    }

    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        bulkReads.add(new BulkRead(new ArrayList<>(paths), selector, Thread.currentThread().isVirtual()));
        Runnable hook = beforeRead;
        if (hook != null) {
            hook.run();
        }
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
        return delegate.getAll(paths, selector);
    }

    @Override
    public Secret get(String path, Selector selector) {
        singleReads.add(path);
        return delegate.get(path, selector);
    }
}
