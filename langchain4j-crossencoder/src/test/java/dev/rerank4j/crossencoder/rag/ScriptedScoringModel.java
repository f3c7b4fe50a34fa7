package dev.rerank4j.crossencoder.rag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * A test double for what a real model cannot do on demand: exact ties, a chosen slowness, a call that never ends
 * until interrupted, a failure. Scores come from a function of the text; each call records what it was asked. An
 * interrupted call throws {@link InferenceCancelledException}, as the real scorers do.
 */
class ScriptedScoringModel implements ScoringModel {

    private final ToDoubleFunction<String> scores;
    private volatile long delayPerPairMillis;
    private volatile RuntimeException failure;
    private volatile int blockFromCall = Integer.MAX_VALUE;
    private volatile boolean finishWhenInterrupted;
    private final CountDownLatch never = new CountDownLatch(1);
    final List<List<String>> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch interrupted = new CountDownLatch(1);
    final List<Integer> completedCalls = Collections.synchronizedList(new ArrayList<>());

    ScriptedScoringModel(ToDoubleFunction<String> scores) {
        this.scores = scores;
    }

    static ScriptedScoringModel of(Map<String, Double> table) {
        return new ScriptedScoringModel(text -> {
            Double score = table.get(text);
            if (score == null) {
                throw new IllegalArgumentException("no scripted score for '" + text + "'");
            }
            return score;
        });
    }

    ScriptedScoringModel delayPerPair(long millis) {
        this.delayPerPairMillis = millis;
        return this;
    }

    /** Calls from the n-th on (0-based) block until their thread is interrupted: work that outlives any deadline. */
    ScriptedScoringModel blockFromCall(int n) {
        this.blockFromCall = n;
        return this;
    }

    /**
     * An interrupted call returns its scores anyway (interrupt flag kept), like a PyTorch forward pass that cannot be
     * stopped once started: whoever calls must stop before the next call.
     */
    ScriptedScoringModel finishWhenInterrupted() {
        this.finishWhenInterrupted = true;
        return this;
    }

    ScriptedScoringModel failWith(RuntimeException failure) {
        this.failure = failure;
        return this;
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        calls.add(segments.stream().map(TextSegment::text).toList());
        if (failure != null) {
            throw failure;
        }
        long delay = delayPerPairMillis * segments.size();
        try {
            if (calls.size() > blockFromCall) {
                never.await();
            } else if (delay > 0) {
                Thread.sleep(delay);
            }
        } catch (InterruptedException e) {
            interrupted.countDown();
            Thread.currentThread().interrupt();
            if (!finishWhenInterrupted) {
                throw new InferenceCancelledException("scoring cancelled: thread interrupted", e);
            }
        }
        completedCalls.add(segments.size());
        return Response.from(segments.stream().map(s -> scores.applyAsDouble(s.text())).toList());
    }

    int pairsScored() {
        return calls.stream().mapToInt(List::size).sum();
    }
}
