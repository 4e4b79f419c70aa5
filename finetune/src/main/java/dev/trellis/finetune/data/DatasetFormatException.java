package dev.trellis.finetune.data;

/** A dataset file or template cannot be used as given; the message names the file and the fix. */
public class DatasetFormatException extends RuntimeException {

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
