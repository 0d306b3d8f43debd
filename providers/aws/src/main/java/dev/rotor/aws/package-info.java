/** The aws secret store provider. */
package dev.rotor.aws;
