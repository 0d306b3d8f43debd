package dev.rotor.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FileChannel over a real one that fails writes or fsyncs on demand, counts fsyncs, and can
 * hold the next fsync until a test lets it go.
 */
final class FlakyFileChannel extends FileChannel {

    private final FileChannel real;
    final AtomicInteger forces = new AtomicInteger();
    final AtomicInteger failNextForces = new AtomicInteger();
    final AtomicInteger failNextWrites = new AtomicInteger();
    /** When set, the next force() counts down {@code forceEntered} and waits for {@code forceGate}. */
    volatile CountDownLatch forceGate;
    final CountDownLatch forceEntered = new CountDownLatch(1);
    /** When true, a failing force also closes this channel, as an interrupted or revoked channel would be. */
    volatile boolean closeOnFailure;

    FlakyFileChannel(FileChannel real) {
        this.real = real;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        CountDownLatch gate = forceGate;
        if (gate != null) {
            forceGate = null;
            forceEntered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        forces.incrementAndGet();
        if (failNextForces.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (closeOnFailure) {
                close();
            }
            throw new IOException("injected fsync failure");
        }
        real.force(metaData);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (failNextWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            // Write part of the batch first, as a disk that fills up midway would.
            int half = src.remaining() / 2;
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + half);
            real.write(part, position);
            throw new IOException("injected write failure (No space left on device)");
        }
        return real.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return real.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
