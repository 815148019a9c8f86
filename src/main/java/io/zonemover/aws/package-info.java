/** The BlockStore port (what a zone move needs of EBS) and its adapter over the AWS SDK v2 Ec2Client. */
package io.zonemover.aws;
