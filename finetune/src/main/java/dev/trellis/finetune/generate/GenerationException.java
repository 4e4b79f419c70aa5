package dev.trellis.finetune.generate;

/** Generation could not run as asked (a prompt too long for the model, a vocabulary that cannot spell JSON). */
public class GenerationException extends RuntimeException {

    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
