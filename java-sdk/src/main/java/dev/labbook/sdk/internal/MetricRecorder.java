package dev.labbook.sdk.internal;

import dev.labbook.sdk.InvalidArgumentException;
import dev.labbook.sdk.Resume;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The caller side of metric logging: a key table with automatic steps and a columnar buffer
 * that is sealed into {@link PointBlock}s of {@code blockPoints} (or fewer, on
 * {@link #sealPartial()}) and handed to a {@link BlockSink}. A call costs a map lookup, an atomic
 * increment and four array stores under an uncontended lock; nothing touches the network.
 */
public final class MetricRecorder {
    /** Keys of one wire batch are capped at 1,000 by the server. */
    public static final int MAX_KEYS_PER_BLOCK = 1000;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("dev.labbook.sdk");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-./: ]{1,250}");

    /** Where sealed blocks go (the online sender or the offline writer); may block. */
    public interface BlockSink {
        void accept(PointBlock block);
    }

    private static final class Key {
        final int index;
        final AtomicLong lastStep = new AtomicLong(-1);
        /** The last step the run held when it was resumed; MIN_VALUE once warned or when none. */
        final AtomicLong storedLast = new AtomicLong(Long.MIN_VALUE);

        Key(int index) {
            this.index = index;
        }
    }

    private final ConcurrentHashMap<String, Key> keys = new ConcurrentHashMap<>();
    private final List<String> names = new ArrayList<>();
    private volatile List<String> namesView = List.of();
    private final int blockPoints;
    private final BlockSink sink;
    private final Object lock = new Object();
    private int[] k;
    private long[] s;
    private long[] t;
    private double[] v;
    private int size;
    private final BitSet blockKeys = new BitSet();
    private int blockKeyCount;
    private boolean closed;

    public MetricRecorder(int blockPoints, BlockSink sink) {
        this.blockPoints = blockPoints;
        this.sink = sink;
        allocate();
    }

    private void allocate() {
        k = new int[blockPoints];
        s = new long[blockPoints];
        t = new long[blockPoints];
        v = new double[blockPoints];
        size = 0;
        blockKeys.clear();
        blockKeyCount = 0;
    }

    /** Key names by index, as of now (indexes are never reused). */
    public List<String> keyNames() {
        return namesView;
    }

    /** Continues automatic steps after a step already stored (a resumed run). */
    public void seedStep(String key, long lastStep) {
        Key state = key(key);
        state.lastStep.accumulateAndGet(lastStep, Math::max);
        state.storedLast.accumulateAndGet(lastStep, Math::max);
    }

    /** Records a point at the key's next automatic step (0, 1, 2... after the last one used). */
    public void record(String key, double value) {
        Key state = key(key);
        append(state.index, state.lastStep.incrementAndGet(), System.currentTimeMillis(), value);
    }

    /** Records a point at an explicit step; later automatic steps continue after the largest one. */
    public void record(String key, double value, long step, long timestampMs) {
        Key state = key(key);
        if (state.lastStep.get() < step) {
            state.lastStep.accumulateAndGet(step, Math::max);
        } else if (step <= state.storedLast.get()) {
            warnRepeatedStep(key, state, step);
        }
        append(state.index, step, timestampMs, value);
    }

    /** Once per key: an explicit step repeats a step the resumed run already held; both points are kept. */
    private static void warnRepeatedStep(String key, Key state, long step) {
        long last = state.storedLast.getAndSet(Long.MIN_VALUE);
        if (last == Long.MIN_VALUE) {
            return; // warned already
        }
        LOG.warning("labbook: the resumed run already holds steps up to " + last + " of '" + key + "'; step "
                + step + " is logged again. Both points are kept (the series then has two points at that "
                + "step); to start the series afresh use a new run (Resume.NEVER), or continue after step "
                + last + ". (Warned once per key.)");
    }

    private Key key(String name) {
        Key state = keys.get(name);
        return state != null ? state : register(name);
    }

    private Key register(String name) {
        if (name == null || !KEY.matcher(name).matches()) {
            throw new InvalidArgumentException("key", "metric key must be 1-250 characters of letters, digits, "
                    + "'_', '-', '.', '/', ':' and space, got " + (name == null ? "null" : "'" + name + "'"), null);
        }
        synchronized (names) {
            Key existing = keys.get(name);
            if (existing != null) {
                return existing;
            }
            Key created = new Key(names.size());
            names.add(name);
            namesView = List.copyOf(names);
            keys.put(name, created);
            return created;
        }
    }

    private void append(int key, long step, long ts, double value) {
        synchronized (lock) {
            if (closed) {
                return; // the run closed while this call was on its way in: nothing would send it
            }
            if (!blockKeys.get(key)) {
                if (blockKeyCount == MAX_KEYS_PER_BLOCK) {
                    sealLocked();
                }
                blockKeys.set(key);
                blockKeyCount++;
            }
            int i = size;
            k[i] = key;
            s[i] = step;
            t[i] = ts;
            v[i] = value;
            size = i + 1;
            if (size == blockPoints) {
                sealLocked();
            }
        }
    }

    /** Seals what is buffered (if anything) and hands it to the sink. */
    public void sealPartial() {
        synchronized (lock) {
            if (size > 0) {
                sealLocked();
            }
        }
    }

    /**
     * Seals what is buffered and ignores every later point. Under the buffer's lock, so a point
     * recorded concurrently is either in the last block or ignored, never left in the buffer.
     */
    public void close() {
        synchronized (lock) {
            if (size > 0) {
                sealLocked();
            }
            closed = true;
        }
    }

    private void sealLocked() {
        PointBlock block = size == blockPoints ? new PointBlock(k, s, t, v, size)
                : new PointBlock(java.util.Arrays.copyOf(k, size), java.util.Arrays.copyOf(s, size),
                        java.util.Arrays.copyOf(t, size), java.util.Arrays.copyOf(v, size), size);
        allocate();
        // under the lock: blocks reach the sink in the order they were filled
        sink.accept(block);
    }
}
