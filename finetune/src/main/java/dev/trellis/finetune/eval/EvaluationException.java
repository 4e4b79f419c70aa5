package dev.trellis.finetune.eval;

/** An evaluation could not be run or written; the message names the model, example or file. */
public class EvaluationException extends RuntimeException {

    public EvaluationException(String message) {
        super(message);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
