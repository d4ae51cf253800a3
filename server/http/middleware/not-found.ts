import type { RequestHandler } from 'express';
import { AppError } from '../../platform/errors.ts';

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
