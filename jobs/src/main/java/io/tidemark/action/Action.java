package io.tidemark.action;

/**
 * One Tidemark job, as the {@link io.tidemark.Tidemark} facade hands it out: set up with its builder methods (each
 * returns {@code ThisT}, so calls chain), then run once by {@link #execute()}, which returns an immutable result
 * with the counts to log and assert.
 *
 * @param <ThisT> the action's own type
 * @param <R> its result
 */
public interface Action<ThisT extends Action<ThisT, R>, R> {
  R execute();
}
