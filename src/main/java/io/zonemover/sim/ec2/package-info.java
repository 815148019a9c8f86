/**
 * The EC2 half of the simulated world, split as moto splits a service: the protocol ({@link
 * io.zonemover.sim.ec2.Ec2Endpoint} and its HTTP server {@link io.zonemover.sim.ec2.Ec2HttpServer}, Ec2Responses, QueryParams, Filter, Page, QueryXml, Throttle), the model
 * ({@link io.zonemover.sim.ec2.Ec2World} and the package-private Volumes, Snapshots, Content, Transitions,
 * Ec2State), the view (Ec2View) and the service's errors ({@link io.zonemover.sim.ec2.Ec2Error}).
 */
package io.zonemover.sim.ec2;
