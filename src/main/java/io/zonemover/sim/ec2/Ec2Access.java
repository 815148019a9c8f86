package io.zonemover.sim.ec2;

import io.zonemover.sim.WorldStore;

import java.util.function.LongSupplier;

/**
 * How {@link Ec2Endpoint} reaches the EC2 half of a world: run a function on it at the world's current time,
 * and say whether the result must be saved. {@link #of(WorldStore)} adapts the shared directory store; {@link
 * InMemory} holds one world in memory (tests, embedded use).
 */
public interface Ec2Access {

    /** A function on the EC2 world at world time {@code now} (epoch millis); the world is already advanced. */
    @FunctionalInterface
    interface Op<T> {
        T apply(Ec2World world, long now);
    }

    /** Runs {@code op} without saving what it changed. */
    <T> T read(Op<T> op);

    /** Runs {@code op} and saves the world afterwards. */
    <T> T write(Op<T> op);

    /** Adapts the directory-backed store; the world there is advanced to now and settled after writes. */
    static Ec2Access of(WorldStore store) {
        return new Ec2Access() {
            @Override
            public <T> T read(Op<T> op) {
                return store.read(w -> op.apply(w.ec2(), w.now()));
            }

            @Override
            public <T> T write(Op<T> op) {
                return store.write(w -> op.apply(w.ec2(), w.now()));
            }
        };
    }

    /**
     * One EC2 world in memory with a clock supplied by the caller. With {@code roundTrip}, every write ends by
     * serializing the world to JSON and loading it back, so whatever the endpoint does must survive a reload.
     */
    final class InMemory implements Ec2Access {
        private Ec2World world;
        private final LongSupplier clock;
        private final boolean roundTrip;
        private long now;

        public InMemory(Ec2World world, LongSupplier clock, boolean roundTrip) {
            this.world = world;
            this.clock = clock;
            this.roundTrip = roundTrip;
        }

        public synchronized Ec2World world() {
            return world;
        }

        /** The world advanced to the clock; for tests that inspect or change it directly. */
        public synchronized <T> T with(Op<T> op, boolean save) {
            return save ? write(op) : read(op);
        }

        private void advance() {
            now = Math.max(now, clock.getAsLong());
            world.advanceTo(now);
        }

        @Override
        public synchronized <T> T read(Op<T> op) {
            advance();
            return op.apply(world, now);
        }

        @Override
        public synchronized <T> T write(Op<T> op) {
            advance();
            T result = op.apply(world, now);
            world.advanceTo(now);
            if (roundTrip) {
                world = Ec2World.fromJson(world.toJson());
            }
            return result;
        }
    }
}
