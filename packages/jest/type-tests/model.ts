// A model for the type tests: the reference network's correct backprop.
import { ReferenceNetwork, initializeParameters, randomData } from '@gradcheck/reference-network';

export const model = new ReferenceNetwork(initializeParameters([4, 3, 1]));
export const { X, Y } = randomData(4, 5);
