/** Pure model and rules of a zone move: no Kubernetes, AWS, Spring or picocli types here. */
package io.zonemover.domain;
