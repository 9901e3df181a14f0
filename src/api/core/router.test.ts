import { describe, expect, it } from 'vitest'
import { createRouter } from './router.js'

describe('createRouter', () => {
  const router = createRouter<string>()
  router.add('/predict', 'predict')
  router.add('/networks/:chainId/suggestedGasFees', 'metamask')
  router.add('/gasstation/:chainId', 'gasstation')

  it('finds static routes and routes with parameters', () => {
    expect(router.match('/predict')).toEqual({ route: 'predict', params: {} })
    expect(router.match('/networks/137/suggestedGasFees')).toEqual({
      route: 'metamask',
      params: { chainId: '137' },
    })
    expect(router.match('/gasstation/1')).toEqual({ route: 'gasstation', params: { chainId: '1' } })
  })
  it('finds nothing for other paths', () => {
    for (const path of [
      '/',
      '/predict/extra',
      '/networks/1',
      '/networks/1/suggestedGasFees/x',
      '/gasstation',
    ])
      expect(router.match(path), path).toBeUndefined()
  })
})
