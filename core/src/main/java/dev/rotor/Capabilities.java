package dev.rotor;

/**
 * What a store can hold; the contract tests read these to decide what to check.
 *
 * @param maxValueBytes the largest value, in bytes, the store accepts
 * @param binaryValues whether any bytes round-trip (false: only UTF-8 text)
 * @param nativeStages whether the backend itself keeps the stages (false: the provider emulates them)
 * @param tags whether versions carry tags
 */
public record Capabilities(int maxValueBytes, boolean binaryValues, boolean nativeStages, boolean tags) {

    public Capabilities {
        if (maxValueBytes <= 0) {
            throw new IllegalArgumentException("maxValueBytes must be positive");
        }
    }
}
