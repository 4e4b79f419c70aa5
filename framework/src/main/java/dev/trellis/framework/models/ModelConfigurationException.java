package dev.trellis.framework.models;

/** A model is configured with a value that cannot work (a malformed base URL, a missing key). */
public class ModelConfigurationException extends IllegalArgumentException {

    public ModelConfigurationException(String message) {
        super(message);
    }
}
