import { describe, expect, it } from 'vitest'
import { createRouter, rememberedPaths } from './router.js'

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

describe('createRouter, remembering matches', () => {
  it('answers a repeated path with the same (frozen) match, and stays right past the memo bound', () => {
    const router = createRouter<string>()
    router.add('/gasstation/:chainId', 'gasstation')
    const first = router.match('/gasstation/1')
    expect(router.match('/gasstation/1')).toBe(first)
    expect(Object.isFrozen(first?.params)).toBe(true)
    for (let i = 0; i < rememberedPaths * 2 + 7; i++)
      expect(router.match(`/gasstation/${i}`)?.params).toEqual({ chainId: String(i) })
    expect(router.match('/gasstation')).toBeUndefined()
    expect(router.match('/gasstation')).toBeUndefined()
    expect(router.match('/gasstation/1')).toEqual({ route: 'gasstation', params: { chainId: '1' } })
  })
  it('forgets what it remembered when a route is added', () => {
    const router = createRouter<string>()
    router.add('/a/:x', 'a')
    expect(router.match('/b/1')).toBeUndefined()
    router.add('/b/:y', 'b')
    expect(router.match('/b/1')).toEqual({ route: 'b', params: { y: '1' } })
  })
})
